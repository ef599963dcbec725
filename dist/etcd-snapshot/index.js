import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import{a as t}from"../chunks/chunk-DFUWWVMF.js";import"../chunks/chunk-BIVNND2K.js";await t(new URL(import.meta.url))||await(await import("../chunks/run-3I5MQ4KD.js")).runAction("etcd-snapshot");
