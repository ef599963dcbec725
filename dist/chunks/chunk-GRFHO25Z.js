import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
var r={"cluster-verify":()=>import("./cluster-verify-Q66RBMFZ.js"),"etcd-snapshot":()=>import("./etcd-snapshot-SFYU4B4R.js"),"migration-precheck":()=>import("./migration-precheck-THECSSDC.js"),"etcd-restore":()=>import("./etcd-restore-7IHTI3NX.js"),snapshots:()=>import("./snapshots-STOLTZNX.js"),"migration-rehearse":()=>import("./migration-rehearse-32HZZHQP.js"),rollback:()=>import("./rollback-MLYSLSZJ.js")};export{r as a};
