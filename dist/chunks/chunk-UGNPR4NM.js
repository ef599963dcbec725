import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
var r={"cluster-verify":()=>import("./cluster-verify-Q66RBMFZ.js"),"etcd-snapshot":()=>import("./etcd-snapshot-5Y3RMHFT.js"),"migration-precheck":()=>import("./migration-precheck-ETGROOPE.js"),"etcd-restore":()=>import("./etcd-restore-XEEXDDMO.js"),snapshots:()=>import("./snapshots-DRHI34GP.js"),"migration-rehearse":()=>import("./migration-rehearse-SHUM5EBB.js"),rollback:()=>import("./rollback-POW4SGPF.js"),"volume-snapshots":()=>import("./volume-snapshots-3JNDCALE.js"),"zone-migrate":()=>import("./zone-migrate-X6Q4TA67.js")};export{r as a};
