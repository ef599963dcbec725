import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
function i(...t){return t.flatMap(e=>e.split("/")).filter(e=>e!==""&&e!==".").join("/")}export{i as a};
