import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import{a as i}from"../chunks/chunk-2EWPVF74.js";import"../chunks/chunk-3DIMFENU.js";import"../chunks/chunk-DO223WK5.js";await i("migration-precheck");
