#!/usr/bin/env node
import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import{a as r}from"../chunks/chunk-DFUWWVMF.js";import"../chunks/chunk-BIVNND2K.js";if(!await r(new URL(import.meta.url),process.stderr.isTTY===!0)){let{main:e}=await import("../chunks/main-OER3KHGU.js");process.exit(await e(process.argv.slice(2)))}
