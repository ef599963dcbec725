import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import{A as y,a as h,p as x,q as A,x as S}from"./chunk-5YCWEXVQ.js";import{b as g}from"./chunk-FBGQJ7EK.js";import{b as d}from"./chunk-QOBKUOMV.js";import{a as l}from"./chunk-7GAJBSR6.js";import{c as f,d as u}from"./chunk-ZY5UTX3P.js";import"./chunk-LVBPHDHS.js";import{b as c}from"./chunk-ZCTATDMH.js";import"./chunk-BIVNND2K.js";function $(n,a){return n.filter(t=>{if(!t.expiresAt||t.expiresAt==="never")return!1;let r=Date.parse(t.expiresAt);return Number.isFinite(r)&&r<=a.getTime()})}async function M(n,a){u("operation",n.get("operation"),["prune"],"prune");let t=n.get("namespace");if(t!==""&&!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(t))throw new c("namespace",t,"a namespace name, or empty for all");let r=f("dry-run",n.get("dry-run")),i=h(d(g(n,e=>a.secret(e)))),p=await x(i,t,S),s=$(p.map(e=>({namespace:e.metadata.namespace,name:e.metadata.name,expiresAt:e.metadata?.annotations?.[y]})),new Date),o=s.map(e=>`${e.namespace}/${e.name}`);for(let e of s){let w=p.find(m=>m.metadata?.namespace===e.namespace&&m.metadata?.name===e.name);a.info(`${r?"would delete":"deleting"} ${e.namespace}/${e.name} (expired ${e.expiresAt})`),r||await A(i,w)}a.setOutput("deleted",JSON.stringify(o)),a.setOutput("count",String(o.length)),a.summary([`### Migration snapshots ${r?"that would be pruned":"pruned"}: ${o.length} of ${p.length}`,o.length?l(["snapshot","expired"],s.map(e=>[`${e.namespace}/${e.name}`,e.expiresAt??""])):""].join(`

`))}export{M as run};
