import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import{f as i}from"./chunk-DO223WK5.js";function p(n){return{get:r=>(n[r]??"").trim()}}function d(n,r){let t=n.get(r);if(t==="")throw new i(r,t,"a value (this input is required)");return t}function m(n,r,t,e){if(r==="")return e;if(t.includes(r))return r;throw new i(n,r,`one of ${t.join(", ")}`)}var f={ms:1,s:1e3,m:6e4,h:36e5,d:864e5,w:6048e5};function a(n,r,t){if(r==="")return t;let e=/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy,o=0,s=0;for(let u of r.matchAll(e))o+=Number(u[1])*f[u[2]],s+=u[0].length;if(s!==r.length||s===0)throw new i(n,r,"a duration such as 90s, 5m, 1h30m or 7d");return o}function c(n){return n.split(/[,\n]/).map(r=>r.trim()).filter(r=>r!=="")}function w(n,r){let t={};for(let e of c(r)){let o=e.indexOf("=");if(o<=0){if(/^[\w.-]+$/.test(e)){t[e]="true";continue}throw new i(n,e,"key=value pairs or plain labels, comma-separated")}t[e.slice(0,o).trim()]=e.slice(o+1).trim()}return t}export{p as a,d as b,m as c,a as d,c as e,w as f};
