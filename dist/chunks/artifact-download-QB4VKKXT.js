import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import{a as n}from"./chunk-B44GQPXZ.js";import"./chunk-5UXL36HH.js";import"./chunk-NQ773EUL.js";import"./chunk-4SJEZT37.js";import"./chunk-2663SODY.js";import"./chunk-BIVNND2K.js";async function e(i,t){let a=new n,{artifact:r}=await a.getArtifact(i);return(await a.downloadArtifact(r.id,{path:t})).downloadPath??t}export{e as downloadArtifactByName};
