import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import{a as t,b as n}from"./chunk-QOBKUOMV.js";import{b as p}from"./chunk-ZCTATDMH.js";function r(e){return{kubeConfig:e,core:e.makeApiClient(t.CoreV1Api),apps:e.makeApiClient(t.AppsV1Api),storage:e.makeApiClient(t.StorageV1Api),autoscaling:e.makeApiClient(t.AutoscalingV2Api),policy:e.makeApiClient(t.PolicyV1Api),authorization:e.makeApiClient(t.AuthorizationV1Api),custom:e.makeApiClient(t.CustomObjectsApi),apis:e.makeApiClient(t.ApisApi)}}function l(e,o){let i=e.get("kubeconfig");if(i.includes(`
`)){o(i);for(let A of i.split(`
`)){let c=/^\s*(client-key-data|client-certificate-data|token|password)\s*:\s*(\S+)/.exec(A);c&&o(c[2])}}let s=e.get("context");if(s.includes(`
`))throw new p("context",s,"one context name");return{kubeconfig:i,context:s}}function m(e){return r(n(e))}export{r as a,l as b,m as c};
