import { PreconditionFailed } from '../errors.js';
import type { Reporter } from '../report.js';
import { describeApiError, loadKubeConfig, withRetry, k8s } from '../kube/client.js';
import { checkPortForwardAccess, forwardPodPort, type PodForward } from '../kube/port-forward.js';
import type { TlsMaterial } from './settings.js';
import type { PortForwardSettings } from './via-kubernetes-settings.js';

export { parsePortForwardSettings, type PortForwardSettings } from './via-kubernetes-settings.js';

export interface EtcdForwards {
  endpoints: string[];
  /** Local endpoint -> pod name, for reports. */
  pods: Map<string, string>;
  tls?: TlsMaterial;
  close(): Promise<void>;
}

const CERT_KEYS = {
  ca: ['ca.crt', 'ca.pem'],
  cert: ['tls.crt', 'client.crt', 'healthcheck-client.crt', 'apiserver-etcd-client.crt'],
  key: ['tls.key', 'client.key', 'healthcheck-client.key', 'apiserver-etcd-client.key'],
};

function pick(data: Record<string, string>, names: string[]): Buffer | undefined {
  const name = names.find((n) => data[n] !== undefined);
  return name ? Buffer.from(data[name]!, 'base64') : undefined;
}

/** Finds the etcd pods and opens one local forward per pod. */
export async function openEtcdForwards(
  settings: PortForwardSettings,
  reporter: Reporter,
): Promise<EtcdForwards> {
  const kc = loadKubeConfig(settings.kube);
  await checkPortForwardAccess(kc, settings.namespace, settings.certSecret);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  let tls: TlsMaterial | undefined;
  if (settings.certSecret) {
    const secretObj = await withRetry('read the etcd client certificate Secret', () =>
      core.readNamespacedSecret({ name: settings.certSecret!, namespace: settings.namespace }),
    ).catch((err: unknown) => {
      throw new PreconditionFailed(
        `etcd-cert-secret: cannot read Secret ${settings.namespace}/${settings.certSecret}: ${describeApiError(err)}`,
      );
    });
    const data = secretObj.data ?? {};
    tls = { ca: pick(data, CERT_KEYS.ca), cert: pick(data, CERT_KEYS.cert), key: pick(data, CERT_KEYS.key) };
    for (const v of [tls.key, tls.cert]) if (v) reporter.secret(v.toString());
    if (!tls.cert || !tls.key) {
      throw new PreconditionFailed(
        `etcd-cert-secret: Secret ${settings.namespace}/${settings.certSecret} has no client certificate and key; expected keys ${CERT_KEYS.cert[0]} and ${CERT_KEYS.key[0]} (or ${CERT_KEYS.cert.slice(1).join(', ')} with matching .key)`,
      );
    }
  }
  const pods = await withRetry('list the etcd pods', () =>
    core.listNamespacedPod({ namespace: settings.namespace, labelSelector: settings.selector }),
  );
  const running = pods.items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
  if (running.length === 0) {
    throw new PreconditionFailed(
      `connect: port-forward: no Running pod matches ${JSON.stringify(settings.selector)} in namespace ${settings.namespace} (found ${pods.items.length} pods); set etcd-selector or etcd-namespace`,
    );
  }
  const forwards: PodForward[] = [];
  try {
    for (const p of running)
      forwards.push(await forwardPodPort(kc, settings.namespace, p.metadata!.name!, settings.port));
  } catch (err) {
    await Promise.all(forwards.map((f) => f.close()));
    throw err;
  }
  const endpoints = forwards.map((f) => `${settings.scheme}://127.0.0.1:${f.localPort}`);
  reporter.info(
    `forwarding to ${forwards.map((f, i) => `${settings.namespace}/${f.pod}:${settings.port} as ${endpoints[i]}`).join(', ')}`,
  );
  return {
    endpoints,
    pods: new Map(forwards.map((f, i) => [endpoints[i]!, f.pod])),
    tls,
    close: async () => void (await Promise.all(forwards.map((f) => f.close()))),
  };
}
