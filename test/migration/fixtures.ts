/**
 * Fixtures for the zone-migration tests against the test cluster: StatefulSets whose volumes sit in a
 * chosen zone, data written through the fake driver's volume files, and two stand-ins:
 * - `standInPrecheckFromCluster` builds the plan from the cluster until the real precheck (#5) is
 *   merged (same plan shape: ordinals, PVCs, PV zones, targets filled in the order given);
 * - `standInExecReadingVolumeFiles` answers verify-command, because KWOK pods cannot exec (no kubelet
 *   runs containers): `cat /data/<file>` reads the pod's volume file, `zone` prints its node's zone.
 */
import * as k8s from '@kubernetes/client-node';
import type { PodExec } from '../../src/kube/exec.js';
import type { Precheck } from '../../src/migration/execute.js';
import type {
  MigrationPlan,
  PlannedVolume,
  PrecheckResult,
  PrecheckSettings,
} from '../../src/migration/types.js';
import {
  CSI_TOPOLOGY_KEY,
  ZONE_LABEL,
  kubeConfig,
  pvZone,
  readVolumeFile,
  waitFor,
  writeVolumeFile,
} from '../cluster/harness.js';

export function api() {
  const kc = kubeConfig('admin');
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
  };
}

export interface StsOptions {
  replicas: number;
  /** Zone of each ordinal's volume. */
  zones: string[];
  storageClass?: string;
  size?: string;
}

/**
 * A StatefulSet `name` whose PVC data-<name>-<i> is pre-created in zones[i] (pinned with the
 * selected-node annotation, or provisioned by an Immediate class), and its pods Ready there.
 */
export async function createStatefulSet(ns: string, name: string, o: StsOptions): Promise<void> {
  const { core, apps } = api();
  const storageClassName = o.storageClass ?? 'fake-wffc';
  const size = o.size ?? '1Gi';
  const nodes = (await core.listNode()).items;
  for (let i = 0; i < o.replicas; i++) {
    const zone = o.zones[i]!;
    const node = nodes.find((n) => n.metadata?.labels?.[ZONE_LABEL] === zone)!.metadata!.name!;
    await core.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: {
        metadata: {
          name: `data-${name}-${i}`,
          labels: { app: name },
          annotations: storageClassName === 'fake-wffc' ? { 'volume.kubernetes.io/selected-node': node } : {},
        },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName,
          resources: { requests: { storage: size } },
        },
      },
    });
  }
  await apps.createNamespacedStatefulSet({
    namespace: ns,
    body: {
      metadata: { name },
      spec: {
        replicas: o.replicas,
        serviceName: name,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [
              {
                name: 'app',
                image: 'registry.k8s.io/pause:3.10',
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels: { app: name } },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName,
              resources: { requests: { storage: size } },
            },
          },
        ],
      },
    },
  });
  await waitReady(ns, name, o.replicas);
}

export async function waitReady(
  ns: string,
  name: string,
  replicas: number,
  timeoutMs = 120_000,
): Promise<void> {
  const { apps } = api();
  await waitFor(
    `${ns}/${name}: ${replicas} ready replicas`,
    async () =>
      (await apps.readNamespacedStatefulSet({ name, namespace: ns })).status?.readyReplicas === replicas,
    timeoutMs,
  );
}

export interface VolumeState {
  pvc: string;
  pvcUid: string;
  pv: string;
  handle: string;
  zone: string;
  reclaimPolicy: string;
}

export async function volumeState(ns: string, pvc: string): Promise<VolumeState> {
  const { core } = api();
  const claim = await core.readNamespacedPersistentVolumeClaim({ name: pvc, namespace: ns });
  const pv = await core.readPersistentVolume({ name: claim.spec!.volumeName! });
  return {
    pvc,
    pvcUid: claim.metadata!.uid!,
    pv: pv.metadata!.name!,
    handle: pv.spec!.csi!.volumeHandle,
    zone: pvZone(pv)!,
    reclaimPolicy: pv.spec!.persistentVolumeReclaimPolicy!,
  };
}

/** Writes a distinct file into each ordinal's volume; returns pvc -> content. */
export async function writeData(ns: string, name: string, replicas: number): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (let i = 0; i < replicas; i++) {
    const pvc = `data-${name}-${i}`;
    const v = await volumeState(ns, pvc);
    const content = `ordinal ${i} of ${ns}/${name} written at ${new Date().toISOString()} ${Math.random()}\n`;
    await writeVolumeFile(v.handle, 'data.txt', content);
    await writeVolumeFile(v.handle, 'nested/more.txt', content.toUpperCase());
    out[pvc] = content;
  }
  return out;
}

export async function readData(ns: string, pvc: string): Promise<string> {
  return readVolumeFile((await volumeState(ns, pvc)).handle, 'data.txt');
}

export async function podZones(ns: string, name: string): Promise<Record<string, string>> {
  const { core } = api();
  const pods = (await core.listNamespacedPod({ namespace: ns, labelSelector: `app=${name}` })).items;
  const out: Record<string, string> = {};
  for (const p of pods) {
    const node = await core.readNode({ name: p.spec!.nodeName! });
    out[p.metadata!.name!] = node.metadata!.labels![ZONE_LABEL]!;
  }
  return out;
}

/** The stand-in for the precheck (#5): the plan from the cluster, verdict fail for a zone without nodes. */
export function standInPrecheckFromCluster(): Precheck {
  return async (s: PrecheckSettings): Promise<PrecheckResult> => {
    const { core, apps } = api();
    const sts = await apps.readNamespacedStatefulSet({
      name: s.workload.name,
      namespace: s.workload.namespace,
    });
    const replicas = sts.spec?.replicas ?? 0;
    const nodeZones = new Set((await core.listNode()).items.map((n) => n.metadata?.labels?.[ZONE_LABEL]));
    const failures = s.targetZones
      .filter((z) => !nodeZones.has(z))
      .map((z) => ({ check: 'target-zones', reason: `zone ${z} has no Ready node` }));
    const volumes: PlannedVolume[] = [];
    let next = 0;
    for (let i = 0; i < replicas; i++) {
      const v = await volumeState(s.workload.namespace, `data-${s.workload.name}-${i}`);
      const stays = s.targetZones.includes(v.zone);
      const targetZone = stays ? v.zone : s.targetZones[next++ % s.targetZones.length]!;
      const pv = await core.readPersistentVolume({ name: v.pv });
      volumes.push({
        ordinal: i,
        pvc: v.pvc,
        pv: v.pv,
        sizeBytes: 2 ** 30,
        driver: pv.spec!.csi!.driver,
        sourceZone: v.zone,
        targetZone,
        snapshotClass: s.snapshotClass || 'fake-retain',
        moves: !stays,
      });
    }
    const plan: MigrationPlan = {
      workload: s.workload,
      zoneKey: s.zoneKey || CSI_TOPOLOGY_KEY,
      replicas,
      volumes,
      estimatedDowntimeSeconds: 10,
    };
    return { verdict: failures.length ? 'fail' : 'pass', checks: [], plan, failures };
  };
}

/** verify-command through the volume files, since KWOK pods cannot exec (see the file comment). */
export function standInExecReadingVolumeFiles(): PodExec {
  return async (namespace, pod, _container, command) => {
    const { core } = api();
    const script = command[command.length - 1]!;
    const p = await core.readNamespacedPod({ name: pod, namespace });
    if (script === 'zone')
      return (await core.readNode({ name: p.spec!.nodeName! })).metadata!.labels![ZONE_LABEL]!;
    const m = /^cat \/data\/(.+)$/.exec(script);
    if (!m)
      throw new Error(
        `the stand-in exec only knows "cat /data/<file>" and "zone", not ${JSON.stringify(script)}`,
      );
    const claim = p.spec!.volumes!.find((v) => v.persistentVolumeClaim)!.persistentVolumeClaim!.claimName;
    return readVolumeFile((await volumeState(namespace, claim)).handle, m[1]!);
  };
}

/** Resource versions of everything a migration could touch in the namespace, for "nothing changed". */
export async function resourceVersions(ns: string, name: string): Promise<Record<string, string>> {
  const { core, apps, custom } = api();
  const out: Record<string, string> = {};
  const sts = await apps.readNamespacedStatefulSet({ name, namespace: ns });
  out[`sts/${name}`] = sts.metadata!.resourceVersion!;
  for (const c of (await core.listNamespacedPersistentVolumeClaim({ namespace: ns })).items) {
    out[`pvc/${c.metadata!.name}`] = c.metadata!.resourceVersion!;
    const pv = await core.readPersistentVolume({ name: c.spec!.volumeName! });
    out[`pv/${pv.metadata!.name}`] = pv.metadata!.resourceVersion!;
  }
  for (const p of (await core.listNamespacedPod({ namespace: ns })).items)
    out[`pod/${p.metadata!.name}`] = p.metadata!.resourceVersion!;
  for (const cm of (await core.listNamespacedConfigMap({ namespace: ns })).items)
    out[`cm/${cm.metadata!.name}`] = cm.metadata!.resourceVersion!;
  const snaps = (await custom.listNamespacedCustomObject({
    group: 'snapshot.storage.k8s.io',
    version: 'v1',
    namespace: ns,
    plural: 'volumesnapshots',
  })) as { items: k8s.KubernetesObject[] };
  for (const s of snaps.items) out[`snap/${s.metadata!.name}`] = s.metadata!.resourceVersion!;
  return out;
}

/** Deletes the namespace and the PVs its claims left behind (source volumes kept with Retain). */
export async function cleanupNamespace(ns: string): Promise<void> {
  const { core } = api();
  await core.deleteNamespace({ name: ns }).catch(() => undefined);
  const pvs = (await core.listPersistentVolume()).items.filter((pv) => pv.spec?.claimRef?.namespace === ns);
  for (const pv of pvs) {
    await core
      .patchPersistentVolume(
        { name: pv.metadata!.name!, body: { spec: { persistentVolumeReclaimPolicy: 'Delete' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      )
      .catch(() => undefined);
  }
}
