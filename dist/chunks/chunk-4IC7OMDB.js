import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
var p={"etcd-snapshot":()=>import("./etcd-snapshot-WSKZZIEF.js"),"migration-precheck":()=>import("./migration-precheck-OYAW6K2V.js"),"etcd-restore":()=>import("./etcd-restore-ZOTFPGYK.js"),snapshots:()=>import("./snapshots-S33IWGA5.js")};function a(n,t,e,r){let s=t/1048576,i=e>0?s/(e/1e3):0,o=r&&r>0?` (${Math.min(100,t/r*100).toFixed(1)}%)`:"";return`${n}: ${s.toFixed(1)} MiB${o}, ${i.toFixed(1)} MiB/s`}export{p as a,a as b};
