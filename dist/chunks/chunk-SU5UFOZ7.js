import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import{a,b as R}from"./chunk-4IC7OMDB.js";import{h as d}from"./chunk-72NKFB7N.js";import{f as w,g as p,h as f,i as y,j as g,m as s,n as i,o as I,p as c,q as T}from"./chunk-IWMTZEOY.js";var E=5e3,u=class{inActions=!0;summaries=[];info(r){i(r)}warn(r){s(r)}secret(r){if(r!==""){p(r);for(let o of r.split(`
`))o.trim().length>=8&&p(o.trim())}}group(r,o){return I(r,o)}saveState(r,o){c(r,o)}setOutput(r,o){y(r,o)}summary(r){this.summaries.push(r)}progress(r,o){let e=Date.now(),n=0,S=e;return{add:v=>{n+=v;let m=Date.now();m-S>=E&&(S=m,i(R(r,n,m-e,o)))},done:()=>i(R(r,n,Date.now()-e,o))}}async flushSummary(){this.summaries.length===0||!process.env.GITHUB_STEP_SUMMARY||await w.addRaw(this.summaries.join(`

`),!0).write()}};var l="kubesafe-post";function O(){return{get:t=>f(t)}}function U(){let t=process.env;return{runUrl:t.GITHUB_SERVER_URL&&t.GITHUB_REPOSITORY&&t.GITHUB_RUN_ID?`${t.GITHUB_SERVER_URL}/${t.GITHUB_REPOSITORY}/actions/runs/${t.GITHUB_RUN_ID}`:void 0,commit:t.GITHUB_SHA,repository:t.GITHUB_REPOSITORY}}async function P(t){let r=new u,o=O();try{let e=a[t];if(!e)throw new Error(`unknown operation ${JSON.stringify(t)}`);let n=await e();if(T(l)==="true"){n.post&&await n.post(o,r,h());return}c(l,"true"),await n.run(o,r,U())}catch(e){g(d(e))}finally{await r.flushSummary().catch(e=>s(`job summary: ${d(e)}`))}}async function x(){let t=f("command");if(!a[t]){g(`command: ${JSON.stringify(t)} is not valid; expected one of ${Object.keys(a).join(", ")}`);return}await P(t)}function h(){let t={};for(let[r,o]of Object.entries(process.env))r.startsWith("STATE_")&&o!==void 0&&(t[r.slice(6)]=o);return t}export{P as a,x as b};
