import { createRequire as __kubesafeRequire } from 'node:module';
import { fileURLToPath as __kubesafeToPath } from 'node:url';
import { dirname as __kubesafeDirname } from 'node:path';
const require = __kubesafeRequire(import.meta.url);
const __filename = __kubesafeToPath(import.meta.url);
const __dirname = __kubesafeDirname(__filename);
import{a as n}from"./chunk-AE42HKC3.js";import{d as s,e as o}from"./chunk-ZY5UTX3P.js";import{b as c}from"./chunk-ZCTATDMH.js";function d(e,a){let r=e.get("etcd-namespace")||"kube-system";if(!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(r))throw new c("etcd-namespace",r,"a namespace name");let t=e.get("etcd-cert-secret")||void 0;if(t&&!/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(t))throw new c("etcd-cert-secret",t,"a Secret name");return{kube:n(e,a),namespace:r,selector:e.get("etcd-selector")||"component=etcd",port:o("etcd-port",e.get("etcd-port"),2379,1,65535),scheme:s("etcd-scheme",e.get("etcd-scheme"),["https","http"],"https"),certSecret:t}}export{d as a};
