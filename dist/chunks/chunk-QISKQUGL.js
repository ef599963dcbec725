import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
var r={"cluster-verify":()=>import("./cluster-verify-KLNOH7C4.js"),"etcd-snapshot":()=>import("./etcd-snapshot-LG2T25RF.js"),"migration-precheck":()=>import("./migration-precheck-2OZXQBS6.js"),"etcd-restore":()=>import("./etcd-restore-J5DPDXIM.js"),snapshots:()=>import("./snapshots-NVB3PDLO.js"),"migration-rehearse":()=>import("./migration-rehearse-66PKEWZM.js"),rollback:()=>import("./rollback-CZHZX5JK.js"),"volume-snapshots":()=>import("./volume-snapshots-ZYAGQEFA.js"),"zone-migrate":()=>import("./zone-migrate-64EZQDL3.js")};export{r as a};
