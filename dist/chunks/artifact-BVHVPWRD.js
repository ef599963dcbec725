import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import{a as n}from"./chunk-B44GQPXZ.js";import"./chunk-5UXL36HH.js";import"./chunk-NQ773EUL.js";import"./chunk-4SJEZT37.js";import"./chunk-2663SODY.js";import"./chunk-BIVNND2K.js";import{mkdtemp as f,readdir as s,rename as l,rm as m}from"node:fs/promises";import p from"node:os";import c from"node:path";function h(){let a=new n;return{async upload(t,e,i){let r=await f(c.join(p.tmpdir(),"kubesafe-artifact-")),o=c.join(r,t);try{await l(e,o),await a.uploadArtifact(t,[o],r,{retentionDays:i,skipArchive:!0})}finally{await m(r,{recursive:!0,force:!0})}},async list(){let{artifacts:t}=await a.listArtifacts({latest:!0});return t.map(e=>({name:e.name,size:e.size,createdAt:e.createdAt}))},async download(t,e){let{artifact:i}=await a.getArtifact(t);await a.downloadArtifact(i.id,{path:e,skipDecompress:!0});let r=await s(e);if(r.length!==1)throw new Error(`artifact ${t}: expected one file, found ${r.length}`);return c.join(e,r[0])},async delete(t){await a.deleteArtifact(t)}}}export{h as githubArtifactService};
