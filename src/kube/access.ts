/** The typed API clients of one identity, built once from a KubeConfig and passed to whatever needs the cluster. */
import { k8s, loadKubeConfig, type KubeAccessSettings } from './client.js';

export { parseKubeAccessSettings } from './access-settings.js';

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

/** Loads the kubeconfig (input, KUBECONFIG, then in-cluster) and builds the clients. */
export function openKubeAccess(settings: KubeAccessSettings): KubeAccess {
  return createKubeAccess(loadKubeConfig(settings));
}
