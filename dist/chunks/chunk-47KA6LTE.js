import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
function a(e,s,i,r){let t=s/1048576,n=i>0?t/(i/1e3):0,o=r&&r>0?` (${Math.min(100,s/r*100).toFixed(1)}%)`:"";return`${e}: ${t.toFixed(1)} MiB${o}, ${n.toFixed(1)} MiB/s`}export{a};
