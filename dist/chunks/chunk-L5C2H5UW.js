import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
var r={"cluster-verify":()=>import("./cluster-verify-Q66RBMFZ.js"),"etcd-snapshot":()=>import("./etcd-snapshot-HA4LJJQS.js"),"migration-precheck":()=>import("./migration-precheck-THECSSDC.js"),"etcd-restore":()=>import("./etcd-restore-SLE6F6OK.js"),snapshots:()=>import("./snapshots-KOQTMDVW.js"),"migration-rehearse":()=>import("./migration-rehearse-IDXBEHKH.js"),rollback:()=>import("./rollback-HJSKTFLB.js")};export{r as a};
