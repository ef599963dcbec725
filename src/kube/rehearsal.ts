/**
 * Kubernetes access for a migration rehearsal (src/migration/rehearse.ts). Writes go only to the
 * scratch namespace, to cluster-scoped objects the rehearsal created (VolumeSnapshotContents, PVs of
 * the clone), and to the labelled VolumeSnapshots of the source PVCs in the production namespace.
 */
import { TimeoutError } from '../errors.js';
import { k8s, statusOf, withRetry } from './client.js';

const SNAP = { group: 'snapshot.storage.k8s.io', version: 'v1' };
const merge = () => k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

export interface VolumeSnapshotObject {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; uid?: string };
  spec: Record<string, unknown>;
  status?: {
    readyToUse?: boolean;
    boundVolumeSnapshotContentName?: string;
    restoreSize?: string;
    error?: { message?: string };
  };
}

export interface VolumeSnapshotContentObject {
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    driver: string;
    deletionPolicy: string;
    volumeSnapshotRef: { name: string; namespace: string };
    volumeSnapshotClassName?: string;
    source: { snapshotHandle?: string; volumeHandle?: string };
  };
  status?: { snapshotHandle?: string; restoreSize?: number; readyToUse?: boolean };
}

async function gone(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (err) {
    if (statusOf(err) === 404) return true;
    throw err;
  }
}

export class RehearsalAccess {
  readonly core: k8s.CoreV1Api;
  readonly apps: k8s.AppsV1Api;
  readonly custom: k8s.CustomObjectsApi;

  constructor(
    kc: k8s.KubeConfig,
    private readonly sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  ) {
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.apps = kc.makeApiClient(k8s.AppsV1Api);
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
  }

  /** Polls `probe` every `intervalMs` until it returns a value; bounded by `timeoutMs`. */
  async waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs: number,
    intervalMs = 500,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline)
        throw new TimeoutError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
      await this.sleep(intervalMs);
    }
  }

  readStatefulSet(namespace: string, name: string): Promise<k8s.V1StatefulSet> {
    return withRetry(`read StatefulSet ${namespace}/${name}`, () =>
      this.apps.readNamespacedStatefulSet({ namespace, name }),
    );
  }

  readPvc(namespace: string, name: string): Promise<k8s.V1PersistentVolumeClaim> {
    return withRetry(`read PVC ${namespace}/${name}`, () =>
      this.core.readNamespacedPersistentVolumeClaim({ namespace, name }),
    );
  }

  readPv(name: string): Promise<k8s.V1PersistentVolume> {
    return withRetry(`read PV ${name}`, () => this.core.readPersistentVolume({ name }));
  }

  async nodesInZone(zoneKey: string, zone: string): Promise<string[]> {
    const list = await withRetry('list nodes', () =>
      this.core.listNode({ labelSelector: `${zoneKey}=${zone}` }),
    );
    return list.items
      .filter(
        (n) =>
          n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
          !n.spec?.unschedulable,
      )
      .map((n) => n.metadata!.name!)
      .sort();
  }

  async createNamespace(name: string, labels: Record<string, string>): Promise<void> {
    await withRetry(`create namespace ${name}`, () =>
      this.core.createNamespace({ body: { metadata: { name, labels } } }),
    );
  }

  async deleteNamespace(name: string, timeoutMs: number): Promise<void> {
    try {
      await withRetry(`delete namespace ${name}`, () => this.core.deleteNamespace({ name }));
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    await this.waitFor(
      `namespace ${name} to be deleted`,
      async () => ((await gone(() => this.core.readNamespace({ name }))) ? true : undefined),
      timeoutMs,
    );
  }

  async createConfigMap(namespace: string, cm: k8s.V1ConfigMap): Promise<void> {
    await withRetry(`create ConfigMap ${namespace}/${cm.metadata?.name}`, () =>
      this.core.createNamespacedConfigMap({ namespace, body: cm }),
    );
  }

  async readConfigMap(namespace: string, name: string): Promise<k8s.V1ConfigMap | undefined> {
    try {
      return await withRetry(`read ConfigMap ${namespace}/${name}`, () =>
        this.core.readNamespacedConfigMap({ namespace, name }),
      );
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  async createSnapshot(namespace: string, body: VolumeSnapshotObject): Promise<void> {
    await withRetry(`create VolumeSnapshot ${namespace}/${body.metadata.name}`, () =>
      this.custom.createNamespacedCustomObject({
        ...SNAP,
        namespace,
        plural: 'volumesnapshots',
        body: { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', ...body },
      }),
    );
  }

  async readSnapshot(namespace: string, name: string): Promise<VolumeSnapshotObject> {
    return (await withRetry(`read VolumeSnapshot ${namespace}/${name}`, () =>
      this.custom.getNamespacedCustomObject({ ...SNAP, namespace, plural: 'volumesnapshots', name }),
    )) as VolumeSnapshotObject;
  }

  async listSnapshots(namespace: string, labelSelector: string): Promise<VolumeSnapshotObject[]> {
    const r = (await withRetry(`list VolumeSnapshots in ${namespace}`, () =>
      this.custom.listNamespacedCustomObject({
        ...SNAP,
        namespace,
        plural: 'volumesnapshots',
        labelSelector,
      }),
    )) as { items: VolumeSnapshotObject[] };
    return r.items;
  }

  async waitSnapshotReady(namespace: string, name: string, timeoutMs: number): Promise<VolumeSnapshotObject> {
    return this.waitFor(
      `VolumeSnapshot ${namespace}/${name} to be readyToUse`,
      async () => {
        const s = await this.readSnapshot(namespace, name);
        if (s.status?.error?.message)
          throw new Error(`VolumeSnapshot ${namespace}/${name}: ${s.status.error.message}`);
        return s.status?.readyToUse ? s : undefined;
      },
      timeoutMs,
    );
  }

  async deleteSnapshot(namespace: string, name: string): Promise<void> {
    try {
      await withRetry(`delete VolumeSnapshot ${namespace}/${name}`, () =>
        this.custom.deleteNamespacedCustomObject({ ...SNAP, namespace, plural: 'volumesnapshots', name }),
      );
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  async snapshotGone(namespace: string, name: string): Promise<boolean> {
    return gone(() =>
      this.custom.getNamespacedCustomObject({ ...SNAP, namespace, plural: 'volumesnapshots', name }),
    );
  }

  async readContent(name: string): Promise<VolumeSnapshotContentObject> {
    return (await withRetry(`read VolumeSnapshotContent ${name}`, () =>
      this.custom.getClusterCustomObject({ ...SNAP, plural: 'volumesnapshotcontents', name }),
    )) as VolumeSnapshotContentObject;
  }

  async createContent(body: VolumeSnapshotContentObject): Promise<void> {
    await withRetry(`create VolumeSnapshotContent ${body.metadata.name}`, () =>
      this.custom.createClusterCustomObject({
        ...SNAP,
        plural: 'volumesnapshotcontents',
        body: { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotContent', ...body },
      }),
    );
  }

  async listContents(): Promise<VolumeSnapshotContentObject[]> {
    const r = (await withRetry('list VolumeSnapshotContents', () =>
      this.custom.listClusterCustomObject({ ...SNAP, plural: 'volumesnapshotcontents' }),
    )) as { items: VolumeSnapshotContentObject[] };
    return r.items;
  }

  async setContentDeletionPolicy(name: string, policy: 'Delete' | 'Retain'): Promise<void> {
    await withRetry(`patch VolumeSnapshotContent ${name}`, () =>
      this.custom.patchClusterCustomObject(
        { ...SNAP, plural: 'volumesnapshotcontents', name, body: { spec: { deletionPolicy: policy } } },
        merge(),
      ),
    );
  }

  async deleteContent(name: string): Promise<void> {
    try {
      await withRetry(`delete VolumeSnapshotContent ${name}`, () =>
        this.custom.deleteClusterCustomObject({ ...SNAP, plural: 'volumesnapshotcontents', name }),
      );
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  async contentGone(name: string): Promise<boolean> {
    return gone(() =>
      this.custom.getClusterCustomObject({ ...SNAP, plural: 'volumesnapshotcontents', name }),
    );
  }

  async createPvc(namespace: string, body: k8s.V1PersistentVolumeClaim): Promise<void> {
    await withRetry(`create PVC ${namespace}/${body.metadata?.name}`, () =>
      this.core.createNamespacedPersistentVolumeClaim({ namespace, body }),
    );
  }

  async waitPvcBound(
    namespace: string,
    name: string,
    timeoutMs: number,
  ): Promise<k8s.V1PersistentVolumeClaim> {
    return this.waitFor(
      `PVC ${namespace}/${name} to be Bound`,
      async () => {
        const p = await this.readPvc(namespace, name);
        return p.status?.phase === 'Bound' ? p : undefined;
      },
      timeoutMs,
    );
  }

  async createStatefulSet(namespace: string, body: k8s.V1StatefulSet): Promise<void> {
    await withRetry(`create StatefulSet ${namespace}/${body.metadata?.name}`, () =>
      this.apps.createNamespacedStatefulSet({ namespace, body }),
    );
  }

  async waitStatefulSetReady(namespace: string, name: string, timeoutMs: number): Promise<void> {
    await this.waitFor(
      `StatefulSet ${namespace}/${name} to have every replica ready`,
      async () => {
        const s = await this.readStatefulSet(namespace, name);
        return (s.status?.readyReplicas ?? 0) === (s.spec?.replicas ?? 1) ? true : undefined;
      },
      timeoutMs,
    );
  }

  /** PVs that a claim in `namespace` held (the clone's volumes, old and new). */
  async pvsClaimedFrom(namespace: string): Promise<k8s.V1PersistentVolume[]> {
    const list = await withRetry('list PVs', () => this.core.listPersistentVolume());
    return list.items.filter((pv) => pv.spec?.claimRef?.namespace === namespace);
  }

  async setPvReclaimPolicy(name: string, policy: 'Delete' | 'Retain'): Promise<void> {
    await withRetry(`patch PV ${name}`, () =>
      this.core.patchPersistentVolume(
        { name, body: { spec: { persistentVolumeReclaimPolicy: policy } } },
        merge(),
      ),
    );
  }

  async pvGone(name: string): Promise<boolean> {
    return gone(() => this.core.readPersistentVolume({ name }));
  }
}
