import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
var r={"cluster-verify":()=>import("./cluster-verify-LFNLM5I6.js"),"etcd-snapshot":()=>import("./etcd-snapshot-BW6CC2HJ.js"),"migration-precheck":()=>import("./migration-precheck-5SUO3BVP.js"),"etcd-restore":()=>import("./etcd-restore-F2GTMPEN.js"),snapshots:()=>import("./snapshots-H25QAKFH.js"),"migration-rehearse":()=>import("./migration-rehearse-DGH2GYUY.js"),rollback:()=>import("./rollback-G3KEB5GK.js"),"volume-snapshots":()=>import("./volume-snapshots-UM7RUJYC.js"),"zone-migrate":()=>import("./zone-migrate-QTOU2R5Q.js")};export{r as a};
