import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
function e(t){return/^[\w@%+=:,./-]+$/.test(t)?t:`'${t.replace(/'/g,"'\\''")}'`}export{e as a};
