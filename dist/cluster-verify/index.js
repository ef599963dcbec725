import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import{a as r}from"../chunks/chunk-I4W5I3AO.js";import"../chunks/chunk-47KA6LTE.js";import"../chunks/chunk-QISKQUGL.js";import"../chunks/chunk-72NKFB7N.js";import"../chunks/chunk-IWMTZEOY.js";import"../chunks/chunk-BIVNND2K.js";await r("cluster-verify");
