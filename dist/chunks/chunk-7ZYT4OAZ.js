import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
var r={"cluster-verify":()=>import("./cluster-verify-KLNOH7C4.js"),"etcd-snapshot":()=>import("./etcd-snapshot-R2BDD3GV.js"),"migration-precheck":()=>import("./migration-precheck-2OZXQBS6.js"),"etcd-restore":()=>import("./etcd-restore-R3UPHIOO.js"),snapshots:()=>import("./snapshots-P3HJC5PM.js"),"migration-rehearse":()=>import("./migration-rehearse-2RFXGW7G.js"),rollback:()=>import("./rollback-YNDIERQG.js"),"volume-snapshots":()=>import("./volume-snapshots-ZYAGQEFA.js"),"zone-migrate":()=>import("./zone-migrate-64EZQDL3.js")};export{r as a};
