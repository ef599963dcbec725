import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import{SHARE_ENV as f,Worker as p,isMainThread as u,parentPort as s,workerData as S}from"node:worker_threads";var R=6,t="kubesafeHeapWorker",a=["SIGINT","SIGTERM"],g={SIGINT:130,SIGTERM:143};async function I(i,c=!1){if(!u)return S?.[t]&&s&&(s.on("message",({signal:e})=>{process.listenerCount(e)>0?process.emit(e,e):process.exit(g[e])}),s.unref()),!1;if(c||process.env.KUBESAFE_NO_WORKER==="1")return!1;let r=new p(i,{argv:process.argv.slice(2),env:f,workerData:{[t]:!0},resourceLimits:{maxYoungGenerationSizeMb:R}}),o=e=>r.postMessage({signal:e});for(let e of a)process.on(e,o);process.exitCode=await new Promise(e=>{r.once("error",n=>{process.stderr.write(`${n.stack??String(n)}
`)}),r.once("exit",e)});for(let e of a)process.removeListener(e,o);return!0}export{I as a};
