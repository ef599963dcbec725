import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import{a as t}from"../chunks/chunk-NE2ZKJIU.js";import"../chunks/chunk-47KA6LTE.js";import"../chunks/chunk-5CGE6EHY.js";import"../chunks/chunk-JJFITYBV.js";import"../chunks/chunk-ZCTATDMH.js";import"../chunks/chunk-BIVNND2K.js";await t("etcd-snapshot");
