import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import{a as n}from"./chunk-NR26UO3I.js";import"./chunk-4ZZJOKZF.js";import"./chunk-LVBPHDHS.js";import"./chunk-JJFITYBV.js";import"./chunk-BIVNND2K.js";async function e(i,t){let a=new n,{artifact:r}=await a.getArtifact(i);return(await a.downloadArtifact(r.id,{path:t})).downloadPath??t}export{e as downloadArtifactByName};
