import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
function g(n,a){let t=r=>String(r).replace(/\|/g,"\\|").replace(/\n/g," ");return[`| ${n.map(t).join(" | ")} |`,`| ${n.map(()=>"---").join(" | ")} |`,...a.map(r=>`| ${r.map(t).join(" | ")} |`)].join(`
`)}function o(n,a){let t=[n,...a.map(i=>i.map(String))],r=n.map((i,m)=>Math.max(...t.map(p=>String(p[m]??"").length)));return t.map(i=>i.map((m,p)=>String(m).padEnd(r[p])).join("  ").trimEnd()).join(`
`)}export{g as a,o as b};
