/**
 * Proof that the test cluster (test/cluster/up.sh) behaves like a zonal Kubernetes cluster with a
 * CSI driver: real API server, controllers, scheduler, external-provisioner, csi-snapshotter and
 * snapshot-controller; KWOK nodes and pods; the fake zonal CSI driver.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import {
  CSI_DRIVER,
  CSI_TOPOLOGY_KEY,
  NEVER_READY_LABEL,
  RESTART_COUNT_ANNOTATION,
  ZONE_LABEL,
  clusterEnv,
  createTestNamespace,
  deleteTestNamespace,
  ensureCluster,
  getCsiState,
  kubeConfig,
  pvZone,
  readVolumeFile,
  resetCsiFaults,
  setCsiFaults,
  setZoneNeverReady,
  volumeDir,
  waitFor,
  writeVolumeFile,
} from './harness.js';

jest.setTimeout(180_000);

let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
let custom: k8s.CustomObjectsApi;

beforeAll(async () => {
  await ensureCluster();
  const kc = kubeConfig('admin');
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  custom = kc.makeApiClient(k8s.CustomObjectsApi);
}, 60 * 60 * 1000);

afterEach(async () => {
  await resetCsiFaults();
});

const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

function pod(name: string, extra: Partial<k8s.V1PodSpec> = {}, meta: Partial<k8s.V1ObjectMeta> = {}): k8s.V1Pod {
  return {
    metadata: { name, ...meta },
    spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }], terminationGracePeriodSeconds: 1, ...extra },
  };
}

function pvc(name: string, storageClassName: string, extra: Partial<k8s.V1PersistentVolumeClaimSpec> = {}, meta: Partial<k8s.V1ObjectMeta> = {}): k8s.V1PersistentVolumeClaim {
  return {
    metadata: { name, ...meta },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: '1Gi' } }, ...extra },
  };
}

async function boundPv(namespace: string, name: string, timeoutMs = 60_000): Promise<k8s.V1PersistentVolume> {
  const claim = await waitFor(
    `PVC ${namespace}/${name} Bound`,
    async () => {
      const c = await core.readNamespacedPersistentVolumeClaim({ name, namespace });
      return c.status?.phase === 'Bound' && c.spec?.volumeName ? c : undefined;
    },
    timeoutMs,
  );
  return core.readPersistentVolume({ name: claim.spec!.volumeName! });
}

async function readyPod(namespace: string, name: string): Promise<k8s.V1Pod> {
  return waitFor(`pod ${namespace}/${name} Ready`, async () => {
    const p = await core.readNamespacedPod({ name, namespace });
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    return p.status?.phase === 'Running' && ready ? p : undefined;
  });
}

async function gone(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (e) {
    return (e as { code?: number }).code === 404;
  }
}

/** All files under a directory, relative path -> content. */
function tree(dir: string, base = dir, out: Record<string, string> = {}): Record<string, string> {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) tree(p, base, out);
    else out[path.relative(base, p)] = p;
  }
  return out;
}

async function treeContents(handle: string): Promise<Record<string, string>> {
  const files = tree(volumeDir(handle));
  const out: Record<string, string> = {};
  for (const rel of Object.keys(files).sort()) out[rel] = await readVolumeFile(handle, rel);
  return out;
}

describe('test cluster', () => {
  test('a StatefulSet with a volumeClaimTemplate runs in its volumes’ zones with Bound PVCs', async () => {
    const ns = await createTestNamespace('sts');
    try {
      await apps.createNamespacedStatefulSet({
        namespace: ns,
        body: {
          metadata: { name: 'db' },
          spec: {
            replicas: 3,
            serviceName: 'db',
            selector: { matchLabels: { app: 'db' } },
            template: {
              metadata: { labels: { app: 'db' } },
              spec: {
                terminationGracePeriodSeconds: 1,
                topologySpreadConstraints: [
                  { maxSkew: 1, topologyKey: ZONE_LABEL, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'db' } } },
                ],
                containers: [{ name: 'db', image: 'registry.k8s.io/pause:3.10', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
              },
            },
            volumeClaimTemplates: [
              { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
            ],
          },
        },
      });
      await waitFor(
        'StatefulSet db: 3 ready replicas',
        async () => (await apps.readNamespacedStatefulSet({ name: 'db', namespace: ns })).status?.readyReplicas === 3,
        120_000,
      );
      const zones = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const p = await readyPod(ns, `db-${i}`);
        expect(p.status?.phase).toBe('Running');
        const claim = await core.readNamespacedPersistentVolumeClaim({ name: `data-db-${i}`, namespace: ns });
        expect(claim.status?.phase).toBe('Bound');
        expect(claim.spec?.storageClassName).toBe('fake-wffc'); // the default class
        const pv = await core.readPersistentVolume({ name: claim.spec!.volumeName! });
        expect(pv.spec?.csi?.driver).toBe(CSI_DRIVER);
        const node = await core.readNode({ name: p.spec!.nodeName! });
        const zone = pvZone(pv);
        expect(zone).toBeDefined();
        expect(node.metadata?.labels?.[CSI_TOPOLOGY_KEY]).toBe(zone);
        expect(node.metadata?.labels?.[ZONE_LABEL]).toBe(zone);
        expect(existsSync(volumeDir(pv.spec!.csi!.volumeHandle))).toBe(true);
        expect((await getCsiState()).volumes[pv.spec!.csi!.volumeHandle]?.zone).toBe(zone);
        zones.add(zone!);
      }
      expect(zones.size).toBe(3); // spread over the three zones
    } finally {
      await deleteTestNamespace(ns);
    }
  });

  test('a VolumeSnapshot becomes ready and restores into another zone with the same files', async () => {
    const ns = await createTestNamespace('snap');
    try {
      await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: pvc('src', 'fake-immediate') });
      const srcPv = await boundPv(ns, 'src');
      const srcHandle = srcPv.spec!.csi!.volumeHandle;
      const srcZone = pvZone(srcPv)!;
      await writeVolumeFile(srcHandle, 'hello.txt', 'hello from the source volume\n');
      await writeVolumeFile(srcHandle, 'nested/dir/data.bin', Buffer.from([0, 1, 2, 3, 255]).toString('latin1'));

      await custom.createNamespacedCustomObject({
        group: 'snapshot.storage.k8s.io',
        version: 'v1',
        namespace: ns,
        plural: 'volumesnapshots',
        body: {
          apiVersion: 'snapshot.storage.k8s.io/v1',
          kind: 'VolumeSnapshot',
          metadata: { name: 'src-snap' },
          spec: { volumeSnapshotClassName: 'fake-delete', source: { persistentVolumeClaimName: 'src' } },
        },
      });
      const snap = await waitFor('VolumeSnapshot readyToUse', async () => {
        const s = (await custom.getNamespacedCustomObject({
          group: 'snapshot.storage.k8s.io',
          version: 'v1',
          namespace: ns,
          plural: 'volumesnapshots',
          name: 'src-snap',
        })) as { status?: { readyToUse?: boolean; boundVolumeSnapshotContentName?: string; restoreSize?: string } };
        return s.status?.readyToUse ? s : undefined;
      });
      expect(snap.status?.restoreSize).toBe('1Gi');

      // Restore on a node of another zone, as a zone migration does: the PVC names the node.
      const otherZone = ['zone-a', 'zone-b', 'zone-c'].find((z) => z !== srcZone)!;
      const nodes = await core.listNode({ labelSelector: `${CSI_TOPOLOGY_KEY}=${otherZone}` });
      const targetNode = nodes.items[0]!.metadata!.name!;
      await core.createNamespacedPersistentVolumeClaim({
        namespace: ns,
        body: pvc(
          'restored',
          'fake-wffc',
          { dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'src-snap' } },
          { annotations: { 'volume.kubernetes.io/selected-node': targetNode } },
        ),
      });
      const restoredPv = await boundPv(ns, 'restored');
      expect(pvZone(restoredPv)).toBe(otherZone);
      const restoredHandle = restoredPv.spec!.csi!.volumeHandle;
      expect(restoredHandle).not.toBe(srcHandle);
      expect(await treeContents(restoredHandle)).toEqual(await treeContents(srcHandle));
      expect(await readVolumeFile(restoredHandle, 'hello.txt')).toBe('hello from the source volume\n');
      const state = await getCsiState();
      expect(state.volumes[restoredHandle]?.zone).toBe(otherZone);
      expect(state.volumes[restoredHandle]?.sourceSnapshotId).toBeDefined();
    } finally {
      await deleteTestNamespace(ns);
    }
  });

  test('reclaimPolicy Delete removes the volume; Retain leaves a Released PV and the data', async () => {
    const ns = await createTestNamespace('reclaim');
    try {
      await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: pvc('del', 'fake-immediate') });
      await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: pvc('keep', 'fake-immediate') });
      const delPv = await boundPv(ns, 'del');
      const keepPv = await boundPv(ns, 'keep');
      expect(delPv.spec?.persistentVolumeReclaimPolicy).toBe('Delete');
      const delDir = volumeDir(delPv.spec!.csi!.volumeHandle);
      const keepDir = volumeDir(keepPv.spec!.csi!.volumeHandle);
      await writeVolumeFile(keepPv.spec!.csi!.volumeHandle, 'keep.txt', 'kept');
      expect(existsSync(delDir)).toBe(true);

      await core.patchPersistentVolume({ name: keepPv.metadata!.name!, body: { spec: { persistentVolumeReclaimPolicy: 'Retain' } } }, merge);

      await core.deleteNamespacedPersistentVolumeClaim({ name: 'del', namespace: ns });
      await waitFor('PV of del to be deleted', () => gone(() => core.readPersistentVolume({ name: delPv.metadata!.name! })));
      await waitFor('volume directory of del to be removed', async () => !existsSync(delDir));

      await core.deleteNamespacedPersistentVolumeClaim({ name: 'keep', namespace: ns });
      const released = await waitFor('PV of keep Released', async () => {
        const pv = await core.readPersistentVolume({ name: keepPv.metadata!.name! });
        return pv.status?.phase === 'Released' ? pv : undefined;
      });
      expect(released.spec?.persistentVolumeReclaimPolicy).toBe('Retain');
      await new Promise((r) => setTimeout(r, 2000));
      expect(existsSync(keepDir)).toBe(true);
      expect(await readVolumeFile(keepPv.spec!.csi!.volumeHandle, 'keep.txt')).toBe('kept');

      // Clean up: switching the Released PV back to Delete lets the provisioner delete the volume.
      await core.patchPersistentVolume({ name: keepPv.metadata!.name!, body: { spec: { persistentVolumeReclaimPolicy: 'Delete' } } }, merge);
      await waitFor('retained PV to be deleted', () => gone(() => core.readPersistentVolume({ name: keepPv.metadata!.name! })));
      await waitFor('retained volume directory to be removed', async () => !existsSync(keepDir));
    } finally {
      await deleteTestNamespace(ns);
    }
  });

  test('a PVC in use by a pod stays Terminating until the pod is gone', async () => {
    const ns = await createTestNamespace('inuse');
    try {
      await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: pvc('data', 'fake-immediate') });
      await boundPv(ns, 'data');
      await core.createNamespacedPod({
        namespace: ns,
        body: pod('user', { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] }),
      });
      await readyPod(ns, 'user');

      await core.deleteNamespacedPersistentVolumeClaim({ name: 'data', namespace: ns });
      await new Promise((r) => setTimeout(r, 3000));
      const claim = await core.readNamespacedPersistentVolumeClaim({ name: 'data', namespace: ns });
      expect(claim.metadata?.deletionTimestamp).toBeDefined();
      expect(claim.metadata?.finalizers).toContain('kubernetes.io/pvc-protection');
      expect(claim.status?.phase).toBe('Bound');

      await core.deleteNamespacedPod({ name: 'user', namespace: ns });
      await waitFor('pod to go', () => gone(() => core.readNamespacedPod({ name: 'user', namespace: ns })));
      await waitFor('PVC to go', () => gone(() => core.readNamespacedPersistentVolumeClaim({ name: 'data', namespace: ns })));
    } finally {
      await deleteTestNamespace(ns);
    }
  });

  test('the restricted identity is refused (403) what its Role lacks', async () => {
    const ns = await createTestNamespace('rbac');
    try {
      const kc = kubeConfig('restricted');
      const rcore = kc.makeApiClient(k8s.CoreV1Api);
      const rapps = kc.makeApiClient(k8s.AppsV1Api);
      const code = async (p: Promise<unknown>) => {
        try {
          await p;
          return 200;
        } catch (e) {
          return (e as { code?: number }).code;
        }
      };
      // Granted: read in kubesafe-restricted, read nodes.
      expect(await code(rcore.listNamespacedPod({ namespace: 'kubesafe-restricted' }))).toBe(200);
      expect(await code(rapps.listNamespacedStatefulSet({ namespace: 'kubesafe-restricted' }))).toBe(200);
      expect(await code(rcore.listNamespacedPersistentVolumeClaim({ namespace: 'kubesafe-restricted' }))).toBe(200);
      expect(await code(rcore.listNode())).toBe(200);
      // Refused: writes there, and anything in another namespace.
      expect(await code(rcore.createNamespacedPod({ namespace: 'kubesafe-restricted', body: pod('nope') }))).toBe(403);
      expect(await code(rcore.deleteNamespacedPersistentVolumeClaim({ name: 'any', namespace: 'kubesafe-restricted' }))).toBe(403);
      expect(
        await code(rapps.patchNamespacedStatefulSet({ name: 'any', namespace: 'kubesafe-restricted', body: { spec: { replicas: 0 } } }, merge)),
      ).toBe(403);
      expect(await code(rcore.listNamespacedPod({ namespace: ns }))).toBe(403);
      expect(await code(rcore.deleteNode({ name: 'kwok-zone-a-0' }))).toBe(403);
    } finally {
      await deleteTestNamespace(ns);
    }
  });
});

describe('fault knobs', () => {
  test('pod label never-ready, restart-count annotation and the zone knob', async () => {
    const ns = await createTestNamespace('knobs');
    try {
      await core.createNamespacedPod({ namespace: ns, body: pod('never', {}, { labels: { [NEVER_READY_LABEL]: 'true' } }) });
      await core.createNamespacedPod({ namespace: ns, body: pod('restarts') });
      await readyPod(ns, 'restarts');
      const never = await waitFor('never-ready pod Running', async () => {
        const p = await core.readNamespacedPod({ name: 'never', namespace: ns });
        return p.status?.phase === 'Running' ? p : undefined;
      });
      await new Promise((r) => setTimeout(r, 2000));
      const again = await core.readNamespacedPod({ name: 'never', namespace: ns });
      expect(again.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
      expect(never.status?.podIP).toBeDefined();

      await core.patchNamespacedPod({ name: 'restarts', namespace: ns, body: { metadata: { annotations: { [RESTART_COUNT_ANNOTATION]: '2' } } } }, merge);
      const restarted = await waitFor('restartCount 2', async () => {
        const p = await core.readNamespacedPod({ name: 'restarts', namespace: ns });
        return p.status?.containerStatuses?.[0]?.restartCount === 2 ? p : undefined;
      });
      expect(restarted.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(137);

      await setZoneNeverReady(['zone-b']);
      try {
        await new Promise((r) => setTimeout(r, 1000)); // KWOK picks up the changed stages
        await core.createNamespacedPod({ namespace: ns, body: pod('in-b', { nodeSelector: { [ZONE_LABEL]: 'zone-b' } }) });
        await core.createNamespacedPod({ namespace: ns, body: pod('in-c', { nodeSelector: { [ZONE_LABEL]: 'zone-c' } }) });
        await readyPod(ns, 'in-c');
        const inB = await waitFor('pod in zone-b Running', async () => {
          const p = await core.readNamespacedPod({ name: 'in-b', namespace: ns });
          return p.status?.phase === 'Running' ? p : undefined;
        });
        expect(inB.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
      } finally {
        await setZoneNeverReady([]);
      }
    } finally {
      await deleteTestNamespace(ns);
    }
  });

  test('CSI faults: zone capacity 0 and snapshotFail', async () => {
    const ns = await createTestNamespace('csifault');
    try {
      const faults = await setCsiFaults({ zoneCapacityBytes: { 'zone-b': 0 }, snapshotFail: true });
      expect(faults.zoneCapacityBytes).toEqual({ 'zone-b': 0 });
      const nodes = await core.listNode({ labelSelector: `${CSI_TOPOLOGY_KEY}=zone-b` });
      await core.createNamespacedPersistentVolumeClaim({
        namespace: ns,
        body: pvc('full', 'fake-wffc', {}, { annotations: { 'volume.kubernetes.io/selected-node': nodes.items[0]!.metadata!.name! } }),
      });
      await waitFor('ProvisioningFailed event with ResourceExhausted', async () => {
        const ev = await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=full' });
        return ev.items.some((e) => e.reason === 'ProvisioningFailed' && /ResourceExhausted|bytes free/.test(e.message ?? ''));
      });

      await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: pvc('src', 'fake-immediate', { storageClassName: 'fake-immediate' }) });
      await setCsiFaults({ zoneCapacityBytes: null });
      await boundPv(ns, 'src');
      await custom.createNamespacedCustomObject({
        group: 'snapshot.storage.k8s.io',
        version: 'v1',
        namespace: ns,
        plural: 'volumesnapshots',
        body: {
          apiVersion: 'snapshot.storage.k8s.io/v1',
          kind: 'VolumeSnapshot',
          metadata: { name: 'fails' },
          spec: { volumeSnapshotClassName: 'fake-delete', source: { persistentVolumeClaimName: 'src' } },
        },
      });
      await waitFor('snapshot error', async () => {
        const s = (await custom.getNamespacedCustomObject({
          group: 'snapshot.storage.k8s.io',
          version: 'v1',
          namespace: ns,
          plural: 'volumesnapshots',
          name: 'fails',
        })) as { status?: { readyToUse?: boolean; error?: { message?: string } } };
        return /injected fault: snapshotFail/.test(s.status?.error?.message ?? '') && s.status?.readyToUse !== true;
      });
    } finally {
      await resetCsiFaults();
      await deleteTestNamespace(ns);
    }
  });

  test('kubectl port-forward to the fake etcd pod reaches the cluster’s etcd', async () => {
    const env = clusterEnv();
    const [podNs, podName] = env.ETCD_POD!.split('/');
    const etcdPod = await core.readNamespacedPod({ name: podName!, namespace: podNs! });
    expect(etcdPod.metadata?.labels?.component).toBe('etcd');
    const localPort = 20000 + Math.floor(Math.random() * 20000);
    const pf = spawn(env.KUBECTL!, ['--kubeconfig', env.KUBECONFIG_ADMIN!, '-n', podNs!, 'port-forward', `pod/${podName}`, `${localPort}:2379`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await waitFor('port-forward to listen', async () => new Promise<boolean>((r) => pf.stdout!.once('data', () => r(true))), 20_000);
      const out = await new Promise<string>((resolve, reject) =>
        execFile(
          env.ETCDCTL!,
          ['--endpoints', `https://127.0.0.1:${localPort}`, '--cacert', env.ETCD_CACERT!, '--cert', env.ETCD_CERT!, '--key', env.ETCD_KEY!, 'endpoint', 'status', '-w', 'json'],
          (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
        ),
      );
      expect(out).toContain('"version":"3.6');
    } finally {
      pf.kill('SIGTERM');
    }
  });
});
