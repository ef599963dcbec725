import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
var r={"cluster-verify":()=>import("./cluster-verify-LFNLM5I6.js"),"etcd-snapshot":()=>import("./etcd-snapshot-EIZQEX44.js"),"migration-precheck":()=>import("./migration-precheck-5SUO3BVP.js"),"etcd-restore":()=>import("./etcd-restore-DAQQWGS4.js"),snapshots:()=>import("./snapshots-DP76KAH2.js"),"migration-rehearse":()=>import("./migration-rehearse-XKZORXD3.js"),rollback:()=>import("./rollback-JWCVLXN2.js"),"volume-snapshots":()=>import("./volume-snapshots-JEDA2AM7.js"),"zone-migrate":()=>import("./zone-migrate-LANLC5BI.js")};export{r as a};
