import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
var r={"cluster-verify":()=>import("./cluster-verify-O5HD56MX.js"),"etcd-snapshot":()=>import("./etcd-snapshot-LHP5BP6G.js"),"migration-precheck":()=>import("./migration-precheck-ZBAC63S4.js"),"etcd-restore":()=>import("./etcd-restore-QH3CTVPV.js"),snapshots:()=>import("./snapshots-PPFO6UM2.js"),"migration-rehearse":()=>import("./migration-rehearse-HD2XNIV7.js"),rollback:()=>import("./rollback-USGAX5H7.js"),"volume-snapshots":()=>import("./volume-snapshots-TD7EFPMN.js"),"zone-migrate":()=>import("./zone-migrate-X3A3RV5G.js")};export{r as a};
