import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import{a as g,b as h,c as i}from"./chunk-GBCXGBMN.js";import"./chunk-6ZC257CJ.js";import{a}from"./chunk-KO62VNA2.js";import{a as b,b as c,c as d,d as e,e as f}from"./chunk-7QRTZB7K.js";import"./chunk-ZCTATDMH.js";import"./chunk-BIVNND2K.js";export{d as entriesFor,e as fingerprint,g as hostKeyAlgorithms,f as hostKeyVerdict,c as knownHostsName,i as openSshSession,b as parseKnownHosts,a as shellQuote,h as targetLabel};
