import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
function g(n,r,e,s){let t=r/1048576,i=e>0?t/(e/1e3):0,o=s&&s>0?` (${Math.min(100,r/s*100).toFixed(1)}%)`:"";return`${n}: ${t.toFixed(1)} MiB${o}, ${i.toFixed(1)} MiB/s`}export{g as a};
