import { createHash } from 'node:crypto';
import type { RequestOptions } from 'node:https';
import { k8s } from './client.js';
import { SharedWatches } from './shared-watch.js';

type Dispatcher = NonNullable<ReturnType<k8s.RequestContext['getDispatcher']>>;

/**
 * What a connection's TLS identity consists of: two requests with the same key may share a
 * connection. An exec plugin that rotates client certificates changes the key, so a new connection
 * carries the new certificate.
 */
export function tlsIdentityKey(o: RequestOptions): string {
  const h = createHash('sha256');
  for (const part of [o.ca, o.cert, o.key, o.pfx, o.passphrase, o.servername, o.rejectUnauthorized]) {
    const items = Array.isArray(part) ? part : [part];
    for (const item of items) {
      const v = item === undefined ? '' : typeof item === 'object' && 'pem' in item ? item.pem : item;
      h.update(Buffer.isBuffer(v) ? v : String(v));
      h.update('\0');
    }
    h.update('\x01');
  }
  return h.digest('hex');
}

/**
 * A KubeConfig that counts every API request made through it (typed clients and watches both
 * authenticate each request here), so that a run can report requests per volume, and that reuses
 * connections: client-node gives every request a new undici Agent, which costs a TLS handshake per
 * request (about 10 ms of client CPU each, measured, and as much on the API server); here requests
 * with the same TLS identity share one keep-alive Agent.
 */
export class CountingKubeConfig extends k8s.KubeConfig {
  requests = 0;
  private readonly dispatchers = new Map<string, Dispatcher>();

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
    await super.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    if (!fresh) return;
    const tls: RequestOptions = {};
    await this.applyToHTTPSOptions(tls);
    const key = tlsIdentityKey(tls);
    const shared = this.dispatchers.get(key);
    if (shared) context.setDispatcher(shared);
    else this.dispatchers.set(key, fresh);
  }

  private readonly closers: (() => void)[] = [];

  /** Runs `fn` first when the run closes its connections (feeds stop before their streams are cut). */
  onClose(fn: () => void): void {
    this.closers.push(fn);
  }

  /**
   * Drops the shared connections once the run is over (idle keep-alive sockets would hold the
   * process a few seconds); whatever is still in flight then belongs to nobody and is cut.
   */
  async close(): Promise<void> {
    for (const fn of this.closers.splice(0)) fn();
    const all = [...this.dispatchers.values()];
    this.dispatchers.clear();
    await Promise.all(all.map((d) => d.destroy().catch(() => undefined)));
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
  /** The run's shared feeds, which every `waitFor` reads (src/kube/shared-watch.ts). Closed with `kc.close()`. */
  watches: SharedWatches;
}

export function makeMigrationClients(kc: k8s.KubeConfig): MigrationClients {
  const counting = kc instanceof CountingKubeConfig ? kc : CountingKubeConfig.from(kc);
  const objects = k8s.KubernetesObjectApi.makeApiClient(counting);
  const watches = new SharedWatches({ kc: counting, objects });
  counting.onClose(() => watches.close());
  return {
    kc: counting,
    core: counting.makeApiClient(k8s.CoreV1Api),
    apps: counting.makeApiClient(k8s.AppsV1Api),
    storage: counting.makeApiClient(k8s.StorageV1Api),
    custom: counting.makeApiClient(k8s.CustomObjectsApi),
    objects,
    watches,
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
