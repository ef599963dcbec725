import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
var e=class extends Error{constructor(n,t){super(n,t),this.name=new.target.name}},c=class extends e{constructor(t,x,i){super(`${t}: ${x===""?"empty value":JSON.stringify(x)} is not valid; expected ${i}`);this.input=t}input},o=class extends e{},p=class extends e{},a=class extends e{},r=class extends e{},g=class extends e{},d=class extends e{};function l(s){return s instanceof Error?s.message:String(s)}export{e as a,c as b,o as c,p as d,a as e,r as f,g,d as h,l as i};
