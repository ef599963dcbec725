import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
var r={"cluster-verify":()=>import("./cluster-verify-LFNLM5I6.js"),"etcd-snapshot":()=>import("./etcd-snapshot-BW6CC2HJ.js"),"migration-precheck":()=>import("./migration-precheck-5SUO3BVP.js"),"etcd-restore":()=>import("./etcd-restore-F2GTMPEN.js"),snapshots:()=>import("./snapshots-H25QAKFH.js"),"migration-rehearse":()=>import("./migration-rehearse-QYTNCT3A.js"),rollback:()=>import("./rollback-6CBXYFVT.js"),"volume-snapshots":()=>import("./volume-snapshots-UO6GUUEH.js"),"zone-migrate":()=>import("./zone-migrate-OPZ4AER7.js")};export{r as a};
