import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
var r="kubesafe.dev/etcd-snapshot/v1";function n(e){return e.replace(/\.db(\.[a-z0-9]+)*$/,"")+".json"}function s(e){return typeof e=="object"&&e!==null&&e.schema===r}export{r as a,n as b,s as c};
