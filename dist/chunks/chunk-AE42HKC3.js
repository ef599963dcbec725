import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import{b as s}from"./chunk-ZCTATDMH.js";function u(n,o){let t=n.get("kubeconfig");if(t.includes(`
`)){o(t);for(let i of t.split(`
`)){let c=/^\s*(client-key-data|client-certificate-data|token|password)\s*:\s*(\S+)/.exec(i);c&&o(c[2])}}let e=n.get("context");if(e.includes(`
`))throw new s("context",e,"one context name");return{kubeconfig:t,context:e}}export{u as a};
