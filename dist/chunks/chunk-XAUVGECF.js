import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import{a as e,b as s}from"./chunk-DE4U33GT.js";function t(i){return{kubeConfig:i,core:i.makeApiClient(e.CoreV1Api),apps:i.makeApiClient(e.AppsV1Api),storage:i.makeApiClient(e.StorageV1Api),autoscaling:i.makeApiClient(e.AutoscalingV2Api),policy:i.makeApiClient(e.PolicyV1Api),authorization:i.makeApiClient(e.AuthorizationV1Api),custom:i.makeApiClient(e.CustomObjectsApi),apis:i.makeApiClient(e.ApisApi)}}function o(i){return t(s(i))}export{t as a,o as b};
