import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
var r={"cluster-verify":()=>import("./cluster-verify-Q66RBMFZ.js"),"etcd-snapshot":()=>import("./etcd-snapshot-OQIXPHAE.js"),"migration-precheck":()=>import("./migration-precheck-ARY2BAYS.js"),"etcd-restore":()=>import("./etcd-restore-COMTBSRM.js"),snapshots:()=>import("./snapshots-P75AELFW.js"),"migration-rehearse":()=>import("./migration-rehearse-B6DBEVAI.js"),rollback:()=>import("./rollback-DJCX3Y27.js"),"volume-snapshots":()=>import("./volume-snapshots-3JNDCALE.js"),"zone-migrate":()=>import("./zone-migrate-B6I4W7FB.js")};export{r as a};
