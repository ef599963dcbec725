import { k8s } from './client.js';

/**
 * A KubeConfig that counts every API request made through it (typed clients and watches both
 * authenticate each request here), so that a run can report requests per volume.
 */
export class CountingKubeConfig extends k8s.KubeConfig {
  requests = 0;

  static from(kc: k8s.KubeConfig): CountingKubeConfig {
    const counting = new CountingKubeConfig();
    counting.loadFromString(kc.exportConfig());
    counting.setCurrentContext(kc.getCurrentContext());
    return counting;
  }

  override async applySecurityAuthentication(
    context: Parameters<k8s.KubeConfig['applySecurityAuthentication']>[0],
  ): Promise<void> {
    this.requests++;
    return super.applySecurityAuthentication(context);
  }
}

/** The typed API clients the migration uses, built once from one kubeconfig. */
export interface MigrationClients {
  kc: CountingKubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  storage: k8s.StorageV1Api;
  custom: k8s.CustomObjectsApi;
  objects: k8s.KubernetesObjectApi;
}

export function makeMigrationClients(kc: k8s.KubeConfig): MigrationClients {
  const counting = kc instanceof CountingKubeConfig ? kc : CountingKubeConfig.from(kc);
  return {
    kc: counting,
    core: counting.makeApiClient(k8s.CoreV1Api),
    apps: counting.makeApiClient(k8s.AppsV1Api),
    storage: counting.makeApiClient(k8s.StorageV1Api),
    custom: counting.makeApiClient(k8s.CustomObjectsApi),
    objects: k8s.KubernetesObjectApi.makeApiClient(counting),
  };
}

/** True for a 404 from the API server: the object is absent. */
export function isNotFound(err: unknown): boolean {
  return (err as { code?: number })?.code === 404;
}

export function isAlreadyExists(err: unknown): boolean {
  return (err as { code?: number })?.code === 409;
}

/** Reads an object, or undefined when it does not exist. */
export async function readOptional<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
