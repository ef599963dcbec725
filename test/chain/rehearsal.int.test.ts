/**
 * migration-rehearse against the real test cluster: the clone migrates and verifies; afterwards the
 * scratch namespace and the rehearsal's snapshots are gone and production is unchanged. Needs the
 * zone-migrate operation (branch migrate): pending until it is part of the build.
 */
import { jest } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { runActionBundle } from '../helpers/action-runner.js';
import { pvcContent } from '../../src/migration/rehearse.js';
import {
  createTestNamespace,
  deleteTestNamespace,
  ensureCluster,
  kubeConfig,
  pvZone,
  waitFor,
  type ClusterInfo,
} from '../cluster/harness.js';

jest.setTimeout(600_000);
const SNAP = { group: 'snapshot.storage.k8s.io', version: 'v1' };

describe('migration-rehearse against the test cluster', () => {
  let cluster: ClusterInfo;
  let ns: string;
  const core = () => kubeConfig().makeApiClient(k8s.CoreV1Api);
  const apps = () => kubeConfig().makeApiClient(k8s.AppsV1Api);
  beforeAll(async () => {
    cluster = await ensureCluster();
    ns = await createTestNamespace('rehearse');
    await apps().createNamespacedStatefulSet({
      namespace: ns,
      body: {
        metadata: { name: 'db' },
        spec: {
          replicas: 2,
          serviceName: 'db',
          selector: { matchLabels: { app: 'db' } },
          template: {
            metadata: { labels: { app: 'db' } },
            spec: {
              nodeSelector: { 'topology.kubernetes.io/zone': 'zone-a' },
              containers: [{ name: 'db', image: 'registry.k8s.io/pause:3.10' }],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          ],
        },
      },
    });
    await waitFor(
      'db ready',
      async () =>
        (await apps().readNamespacedStatefulSet({ namespace: ns, name: 'db' })).status?.readyReplicas === 2,
      180_000,
    );
    // The production template pins zone-a; the clone's migration needs to leave it.
    await apps().patchNamespacedStatefulSet(
      { namespace: ns, name: 'db', body: [{ op: 'remove', path: '/spec/template/spec/nodeSelector' }] },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    );
    await waitFor(
      'db ready again',
      async () => {
        const s = await apps().readNamespacedStatefulSet({ namespace: ns, name: 'db' });
        return (
          s.status?.readyReplicas === 2 &&
          s.status.updatedReplicas === 2 &&
          s.status.observedGeneration === s.metadata?.generation
        );
      },
      180_000,
    );
  });
  afterAll(async () => {
    if (ns) await deleteTestNamespace(ns);
  });

  async function production(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const sts = await apps().readNamespacedStatefulSet({ namespace: ns, name: 'db' });
    out['sts'] = sts.metadata!.resourceVersion!;
    for (const p of (await core().listNamespacedPod({ namespace: ns })).items)
      out[`pod/${p.metadata!.name}`] = p.metadata!.resourceVersion!;
    for (const c of (await core().listNamespacedPersistentVolumeClaim({ namespace: ns })).items) {
      // Content, not resourceVersion: the snapshot controller's finalizer round trip on a snapshotted
      // PVC bumps the latter (see pvcContent); everything else must keep its resourceVersion.
      out[`pvc/${c.metadata!.name}`] = pvcContent(c);
      const pv = await core().readPersistentVolume({ name: c.spec!.volumeName! });
      out[`pv/${pv.metadata!.name}`] = `${pv.metadata!.resourceVersion} ${pvZone(pv)}`;
    }
    return out;
  }

  it('migrates and verifies the clone, deletes it and its snapshots, and leaves production unchanged', async () => {
    const before = await production();
    const run = await runActionBundle('migration-rehearse', {
      kubeconfig: cluster.kubeconfigAdmin,
      namespace: ns,
      statefulset: 'db',
      'target-zones': 'zone-b',
      'step-timeout': '3m',
      'check-interval': '1s',
      'verify-timeout': '1m',
    });
    expect(run.stdout).not.toContain('::error::');
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({
      result: 'pass',
      'migration-result': 'migrated',
      'production-changed': '[]',
    });
    expect(Number(run.outputs.downtime)).toBeGreaterThan(0);
    expect(JSON.parse(run.outputs.plan!)).toEqual([
      { pvc: 'data-db-0', sourceZone: 'zone-a', targetZone: 'zone-b', moves: true },
      { pvc: 'data-db-1', sourceZone: 'zone-a', targetZone: 'zone-b', moves: true },
    ]);
    const scratch = run.outputs['scratch-namespace']!;
    await expect(core().readNamespace({ name: scratch })).rejects.toMatchObject({ code: 404 });
    const custom = kubeConfig().makeApiClient(k8s.CustomObjectsApi);
    const snaps = (await custom.listNamespacedCustomObject({
      ...SNAP,
      namespace: ns,
      plural: 'volumesnapshots',
    })) as { items: unknown[] };
    expect(snaps.items).toEqual([]);
    const contents = (await custom.listClusterCustomObject({
      ...SNAP,
      plural: 'volumesnapshotcontents',
    })) as {
      items: { spec: { volumeSnapshotRef: { namespace: string } } }[];
    };
    expect(contents.items.filter((c) => [ns, scratch].includes(c.spec.volumeSnapshotRef.namespace))).toEqual(
      [],
    );
    const pvs = (await core().listPersistentVolume()).items.filter(
      (pv) => pv.spec?.claimRef?.namespace === scratch,
    );
    expect(pvs).toEqual([]);
    expect(await production()).toEqual(before);
  });
});
