/** The typed API clients of one identity, built once from a KubeConfig and passed to whatever needs the cluster. */
import { InputError } from '../errors.js';
import type { InputSource } from '../inputs.js';
import { k8s, loadKubeConfig, type KubeAccessSettings } from './client.js';

export interface KubeAccess {
  kubeConfig: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  storage: k8s.StorageV1Api;
  autoscaling: k8s.AutoscalingV2Api;
  policy: k8s.PolicyV1Api;
  authorization: k8s.AuthorizationV1Api;
  custom: k8s.CustomObjectsApi;
  apis: k8s.ApisApi;
}

export function createKubeAccess(kubeConfig: k8s.KubeConfig): KubeAccess {
  return {
    kubeConfig,
    core: kubeConfig.makeApiClient(k8s.CoreV1Api),
    apps: kubeConfig.makeApiClient(k8s.AppsV1Api),
    storage: kubeConfig.makeApiClient(k8s.StorageV1Api),
    autoscaling: kubeConfig.makeApiClient(k8s.AutoscalingV2Api),
    policy: kubeConfig.makeApiClient(k8s.PolicyV1Api),
    authorization: kubeConfig.makeApiClient(k8s.AuthorizationV1Api),
    custom: kubeConfig.makeApiClient(k8s.CustomObjectsApi),
    apis: kubeConfig.makeApiClient(k8s.ApisApi),
  };
}

/** `kubeconfig` and `context` inputs; inline kubeconfig content is masked before anything can log it. */
export function parseKubeAccessSettings(
  inputs: InputSource,
  secret: (v: string) => void,
): KubeAccessSettings {
  const kubeconfig = inputs.get('kubeconfig');
  if (kubeconfig.includes('\n')) {
    secret(kubeconfig);
    for (const line of kubeconfig.split('\n')) {
      const m = /^\s*(client-key-data|client-certificate-data|token|password)\s*:\s*(\S+)/.exec(line);
      if (m) secret(m[2]!);
    }
  }
  const context = inputs.get('context');
  if (context.includes('\n')) throw new InputError('context', context, 'one context name');
  return { kubeconfig, context };
}

/** Loads the kubeconfig (input, KUBECONFIG, then in-cluster) and builds the clients. */
export function openKubeAccess(settings: KubeAccessSettings): KubeAccess {
  return createKubeAccess(loadKubeConfig(settings));
}
