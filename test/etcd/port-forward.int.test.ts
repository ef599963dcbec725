import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { run } from '../../src/actions/etcd-snapshot.js';
import { inputsFrom } from '../../src/inputs.js';
import { RecordingReporter } from '../../src/report.js';
import type { SnapshotManifest } from '../../src/store/manifest.js';
import { k8s } from '../../src/kube/client.js';
import { clusterEnv, ensureCluster, kubeConfig, type ClusterInfo } from '../cluster/harness.js';
import { etcdBinDir } from '../helpers/etcd.js';

// The test cluster runs a KWOK pod kube-system/etcd-kwok-zone-a-0 (label component=etcd) whose port
// 2379 KWOK forwards to the cluster's own, real etcd 3.6 (TLS with client certificates).
let cluster: ClusterInfo;
let env: Record<string, string>;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-pf-'));
const SECRET = 'kubesafe-test-etcd-client';

beforeAll(async () => {
  cluster = await ensureCluster();
  env = clusterEnv();
  const core = kubeConfig('admin').makeApiClient(k8s.CoreV1Api);
  await core.deleteNamespacedSecret({ name: SECRET, namespace: 'kube-system' }).catch(() => undefined);
  const b64 = (f: string) => readFileSync(f).toString('base64');
  await core.createNamespacedSecret({
    namespace: 'kube-system',
    body: {
      metadata: { name: SECRET },
      data: {
        'ca.crt': b64(env.ETCD_CACERT!),
        'tls.crt': b64(env.ETCD_CERT!),
        'tls.key': b64(env.ETCD_KEY!),
      },
    },
  });
});

afterAll(async () => {
  const core = kubeConfig('admin').makeApiClient(k8s.CoreV1Api);
  await core.deleteNamespacedSecret({ name: SECRET, namespace: 'kube-system' }).catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
});

describe('connect: port-forward', () => {
  it('snapshots etcd through the API server with certificates from a Secret, and the restore drill matches the live keys', async () => {
    const reporter = new RecordingReporter();
    await run(
      inputsFrom({
        connect: 'port-forward',
        kubeconfig: cluster.kubeconfigAdmin,
        'etcd-cert-secret': SECRET,
        destination: path.join(scratch, 'pf'),
        'cluster-name': 'kwok',
        verify: 'restore',
        'etcd-bin-dir': etcdBinDir('3.6') ?? '',
      }),
      reporter,
      {},
    );
    const log = reporter.lines.join('\n');
    expect(log).toContain('forwarding to kube-system/etcd-kwok-zone-a-0:2379');
    expect(log).toMatch(/restore drill passed: \d+ keys/);
    const manifest = JSON.parse(
      readFileSync(new URL(reporter.outputs['manifest-uri']!).pathname, 'utf8'),
    ) as SnapshotManifest;
    expect(manifest.etcdVersion).toMatch(/^3\.6\./);
    // A Kubernetes cluster's etcd: the restored snapshot holds its namespaces and RBAC objects.
    expect(manifest.keyCountsByPrefix['/registry/namespaces']).toBeGreaterThanOrEqual(4);
    expect(manifest.keyCountsByPrefix['/registry/clusterroles']).toBeGreaterThan(10);
    // The client key from the Secret was masked.
    expect(reporter.secrets).toContain(readFileSync(env.ETCD_KEY!, 'utf8'));
  });

  it('names the missing permission for an identity without pods/portforward', async () => {
    const dest = path.join(scratch, 'restricted');
    await expect(
      run(
        inputsFrom({ connect: 'port-forward', kubeconfig: cluster.kubeconfigRestricted, destination: dest }),
        new RecordingReporter(),
        {},
      ),
    ).rejects.toThrow(
      /port-forward needs permissions the caller lacks in namespace kube-system: get pods, list pods, create pods\/portforward \(deploy\/rbac\/etcd-snapshot-port-forward.yaml/,
    );
  });

  it('refuses endpoints together with port-forward before connecting', async () => {
    await expect(
      run(
        inputsFrom({
          connect: 'port-forward',
          endpoints: 'https://10.0.0.1:2379',
          destination: path.join(scratch, 'x'),
        }),
        new RecordingReporter(),
        {},
      ),
    ).rejects.toThrow(
      /endpoints: "https:\/\/10.0.0.1:2379" is not valid; expected no value when connect is port-forward/,
    );
  });
});
