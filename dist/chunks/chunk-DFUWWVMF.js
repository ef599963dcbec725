import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import f from"node:v8";import{SHARE_ENV as p,Worker as S,isMainThread as u,parentPort as s,workerData as I}from"node:worker_threads";var g=6,m=96,t="kubesafeHeapWorker",a=["SIGINT","SIGTERM"],E={SIGINT:130,SIGTERM:143};async function l(i,c=!1){if(!u)return I?.[t]&&s&&(s.on("message",({signal:e})=>{process.listenerCount(e)>0?process.emit(e,e):process.exit(E[e])}),s.unref()),!1;if(c||process.env.KUBESAFE_NO_WORKER==="1")return!1;f.setFlagsFromString(`--initial-old-space-size=${m}`);let r=new S(i,{argv:process.argv.slice(2),env:p,workerData:{[t]:!0},resourceLimits:{maxYoungGenerationSizeMb:g}}),o=e=>r.postMessage({signal:e});for(let e of a)process.on(e,o);process.exitCode=await new Promise(e=>{r.once("error",n=>{process.stderr.write(`${n.stack??String(n)}
`)}),r.once("exit",e)});for(let e of a)process.removeListener(e,o);return!0}export{l as a};
