/** cluster-verify's bundle, run as GitHub runs it, against the real test cluster. */
import { jest } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { runActionBundle } from '../helpers/action-runner.js';
import {
  createTestNamespace,
  deleteTestNamespace,
  ensureCluster,
  kubeConfig,
  NEVER_READY_LABEL,
  waitFor,
  type ClusterInfo,
} from '../cluster/harness.js';

jest.setTimeout(300_000);

function statefulSet(
  name: string,
  replicas: number,
  podLabels: Record<string, string> = {},
): k8s.V1StatefulSet {
  return {
    metadata: { name },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...podLabels } },
        spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }] },
      },
    },
  };
}

describe('cluster-verify against the test cluster', () => {
  let cluster: ClusterInfo;
  let ns: string;
  let apps: k8s.AppsV1Api;
  beforeAll(async () => {
    cluster = await ensureCluster();
    apps = kubeConfig().makeApiClient(k8s.AppsV1Api);
    ns = await createTestNamespace('verify');
    await apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('healthy', 2) });
    await apps.createNamespacedStatefulSet({
      namespace: ns,
      body: statefulSet('stuck', 1, { [NEVER_READY_LABEL]: 'true' }),
    });
    await waitFor(
      'healthy to be ready',
      async () =>
        (await apps.readNamespacedStatefulSet({ namespace: ns, name: 'healthy' })).status?.readyReplicas ===
        2,
      120_000,
    );
  });
  afterAll(async () => {
    if (ns) await deleteTestNamespace(ns);
  });

  it('passes a healthy cluster and reports every check', async () => {
    const run = await runActionBundle('cluster-verify', {
      kubeconfig: cluster.kubeconfigAdmin,
      workloads: `statefulset/${ns}/healthy`,
      namespaces: `kube-system`,
      timeout: '60s',
      interval: '1s',
      commands: `kubectl --kubeconfig "$KUBECONFIG" version >/dev/null 2>&1 || test -s "$KUBECONFIG"`,
    });
    expect(run.stdout).not.toContain('::error::');
    expect(run.code).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    const report = JSON.parse(run.outputs.report!) as {
      checks: { check: string; target: string; status: string }[];
    };
    expect(report.checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ check: 'workload', target: `statefulset/${ns}/healthy`, status: 'pass' }),
        expect.objectContaining({ check: 'nodes', target: 'kwok-zone-a-0', status: 'pass' }),
        expect.objectContaining({
          check: 'control-plane',
          target: 'kube-system/etcd-kwok-zone-a-0',
          status: 'pass',
        }),
        expect.objectContaining({ check: 'command', status: 'pass' }),
      ]),
    );
    expect(run.summary).toContain('Cluster verification: ✅ pass');
  });

  it('fails naming the StatefulSet that is not at its replicas (pods never Ready)', async () => {
    const run = await runActionBundle('cluster-verify', {
      kubeconfig: cluster.kubeconfigAdmin,
      workloads: `statefulset/${ns}/healthy,statefulset/${ns}/stuck`,
      namespaces: ns,
      timeout: '6s',
      interval: '1s',
    });
    expect(run.code).not.toBe(0);
    expect(run.outputs.verdict).toBe('fail');
    const report = JSON.parse(run.outputs.report!) as { failures: { target: string; reason: string }[] };
    expect(report.failures).toEqual([
      { check: 'workload', target: `statefulset/${ns}/stuck`, status: 'fail', reason: '0/1 ready' },
    ]);
    expect(run.stdout).toContain(`statefulset/${ns}/stuck (0/1 ready)`);
    expect(run.summary).toContain(`Unhealthy: \`statefulset/${ns}/stuck\``);
  });

  it('refuses a bad workload before reading the cluster', async () => {
    const run = await runActionBundle('cluster-verify', {
      kubeconfig: cluster.kubeconfigAdmin,
      workloads: 'pod/x',
    });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain('workloads: "pod/x" is not valid');
  });
});
