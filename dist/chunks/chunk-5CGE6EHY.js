import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
var r={"cluster-verify":()=>import("./cluster-verify-Y3YEK6PV.js"),"etcd-snapshot":()=>import("./etcd-snapshot-MMUYFQEL.js"),"migration-precheck":()=>import("./migration-precheck-ZEZF4HYA.js"),"etcd-restore":()=>import("./etcd-restore-XXOC2JXI.js"),snapshots:()=>import("./snapshots-VMXKSY3N.js"),"migration-rehearse":()=>import("./migration-rehearse-6SJ7MDVW.js"),rollback:()=>import("./rollback-4WIA5LSY.js"),"volume-snapshots":()=>import("./volume-snapshots-AC3SGQA3.js"),"zone-migrate":()=>import("./zone-migrate-5NEHKRJ4.js")};export{r as a};
