/**
 * The migration's writes, each idempotent: create-if-absent by deterministic name, delete-if-present
 * by UID (a DeleteOptions precondition), patches that converge. Transient API errors are retried.
 */
import { k8s, withRetry } from './client.js';
import { isAlreadyExists, isNotFound, readOptional, type MigrationClients } from './clients.js';

const merge = () => k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
export const SNAPSHOT_API = { group: 'snapshot.storage.k8s.io', version: 'v1' };

export interface VolumeSnapshot extends k8s.KubernetesObject {
  spec?: { source?: { persistentVolumeClaimName?: string }; volumeSnapshotClassName?: string };
  status?: {
    readyToUse?: boolean;
    restoreSize?: string;
    boundVolumeSnapshotContentName?: string;
    error?: { message?: string; time?: string };
  };
}

export interface VolumeSnapshotContent extends k8s.KubernetesObject {
  spec?: { deletionPolicy?: string };
  status?: { snapshotHandle?: string; readyToUse?: boolean; restoreSize?: number };
}

export function readPv(c: MigrationClients, name: string): Promise<k8s.V1PersistentVolume | undefined> {
  return withRetry(`read PV ${name}`, () => readOptional(() => c.core.readPersistentVolume({ name })));
}

export function readPvc(
  c: MigrationClients,
  namespace: string,
  name: string,
): Promise<k8s.V1PersistentVolumeClaim | undefined> {
  return withRetry(`read PVC ${name}`, () =>
    readOptional(() => c.core.readNamespacedPersistentVolumeClaim({ name, namespace })),
  );
}

export async function patchPv(
  c: MigrationClients,
  name: string,
  body: object,
): Promise<k8s.V1PersistentVolume> {
  return withRetry(`patch PV ${name}`, () => c.core.patchPersistentVolume({ name, body }, merge()));
}

export async function patchPvc(
  c: MigrationClients,
  namespace: string,
  name: string,
  body: object,
): Promise<void> {
  await withRetry(`patch PVC ${name}`, () =>
    readOptional(() => c.core.patchNamespacedPersistentVolumeClaim({ name, namespace, body }, merge())),
  );
}

/**
 * Sets a PV's reclaim policy with one merge patch (a patch that changes nothing writes nothing) and
 * returns the PV as it is afterwards.
 */
export async function setReclaimPolicy(
  c: MigrationClients,
  name: string,
  policy: string,
): Promise<k8s.V1PersistentVolume> {
  const pv = await readOptional(() => patchPv(c, name, { spec: { persistentVolumeReclaimPolicy: policy } }));
  if (!pv) throw new Error(`PV ${name} does not exist`);
  return pv;
}

/**
 * Binds a PV's side to one claim: its claimRef names the claim with that claim's UID (the claim
 * was created first, with `volumeName` set to this PV), so that no other claim can take it and the
 * PV controller has only the claim's side of the binding left to write.
 */
export async function bindClaimRef(
  c: MigrationClients,
  pv: string,
  namespace: string,
  claim: string,
  uid: string,
  storageClass?: string,
): Promise<k8s.V1PersistentVolume> {
  const spec: Record<string, unknown> = {
    claimRef: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      namespace,
      name: claim,
      uid,
      resourceVersion: null,
    },
  };
  if (storageClass !== undefined) spec.storageClassName = storageClass;
  return patchPv(c, pv, { spec });
}

/** Deletes a PVC only if the object of that name still has this UID; absent is fine. */
export async function deletePvcByUid(
  c: MigrationClients,
  namespace: string,
  name: string,
  uid: string,
): Promise<boolean> {
  return withRetry(`delete PVC ${name}`, async () => {
    try {
      await c.core.deleteNamespacedPersistentVolumeClaim({
        name,
        namespace,
        body: { preconditions: { uid } },
      });
      return true;
    } catch (err) {
      // 404: already gone. 409 on a UID precondition: the name now belongs to another object.
      if (isNotFound(err)) return false;
      if (isAlreadyExists(err) && (await readPvc(c, namespace, name))?.metadata?.uid !== uid) return false;
      throw err;
    }
  });
}

/** Creates the PVC unless one of that name exists; returns whichever exists afterwards. */
export async function createPvcIfAbsent(
  c: MigrationClients,
  body: k8s.V1PersistentVolumeClaim,
): Promise<k8s.V1PersistentVolumeClaim> {
  const namespace = body.metadata!.namespace!;
  const name = body.metadata!.name!;
  return withRetry(`create PVC ${name}`, async () => {
    try {
      return await c.core.createNamespacedPersistentVolumeClaim({ namespace, body });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await readPvc(c, namespace, name);
      if (!existing) throw err;
      return existing;
    }
  });
}

export async function readSnapshot(
  c: MigrationClients,
  namespace: string,
  name: string,
): Promise<VolumeSnapshot | undefined> {
  return withRetry(`read VolumeSnapshot ${name}`, () =>
    readOptional(
      async () =>
        (await c.custom.getNamespacedCustomObject({
          ...SNAPSHOT_API,
          plural: 'volumesnapshots',
          namespace,
          name,
        })) as VolumeSnapshot,
    ),
  );
}

export async function createSnapshotIfAbsent(
  c: MigrationClients,
  body: VolumeSnapshot,
): Promise<VolumeSnapshot> {
  const namespace = body.metadata!.namespace!;
  const name = body.metadata!.name!;
  return withRetry(`create VolumeSnapshot ${name}`, async () => {
    try {
      return (await c.custom.createNamespacedCustomObject({
        ...SNAPSHOT_API,
        plural: 'volumesnapshots',
        namespace,
        body,
      })) as VolumeSnapshot;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await readSnapshot(c, namespace, name);
      if (!existing) throw err;
      return existing;
    }
  });
}

export async function readSnapshotContent(
  c: MigrationClients,
  name: string,
): Promise<VolumeSnapshotContent | undefined> {
  return withRetry(`read VolumeSnapshotContent ${name}`, () =>
    readOptional(
      async () =>
        (await c.custom.getClusterCustomObject({
          ...SNAPSHOT_API,
          plural: 'volumesnapshotcontents',
          name,
        })) as VolumeSnapshotContent,
    ),
  );
}

export async function patchSnapshot(
  c: MigrationClients,
  namespace: string,
  name: string,
  body: object,
): Promise<void> {
  await withRetry(`patch VolumeSnapshot ${name}`, () =>
    c.custom.patchNamespacedCustomObject(
      { ...SNAPSHOT_API, plural: 'volumesnapshots', namespace, name, body },
      merge(),
    ),
  );
}

export async function listSnapshots(
  c: MigrationClients,
  namespace: string,
  labelSelector: string,
): Promise<VolumeSnapshot[]> {
  const list = (await withRetry('list VolumeSnapshots', () =>
    namespace
      ? c.custom.listNamespacedCustomObject({
          ...SNAPSHOT_API,
          plural: 'volumesnapshots',
          namespace,
          labelSelector,
        })
      : c.custom.listClusterCustomObject({ ...SNAPSHOT_API, plural: 'volumesnapshots', labelSelector }),
  )) as { items: VolumeSnapshot[] };
  return list.items;
}

/**
 * Deletes a VolumeSnapshot together with its content and the storage-side snapshot: the content's
 * deletionPolicy is set to Delete first, since a Retain class would leave both behind.
 */
export async function deleteSnapshotWithContent(c: MigrationClients, s: VolumeSnapshot): Promise<void> {
  const content = s.status?.boundVolumeSnapshotContentName;
  if (content) {
    await withRetry(`patch VolumeSnapshotContent ${content}`, () =>
      readOptional(() =>
        c.custom.patchClusterCustomObject(
          {
            ...SNAPSHOT_API,
            plural: 'volumesnapshotcontents',
            name: content,
            body: { spec: { deletionPolicy: 'Delete' } },
          },
          merge(),
        ),
      ),
    );
  }
  await withRetry(`delete VolumeSnapshot ${s.metadata!.name}`, () =>
    readOptional(() =>
      c.custom.deleteNamespacedCustomObject({
        ...SNAPSHOT_API,
        plural: 'volumesnapshots',
        namespace: s.metadata!.namespace!,
        name: s.metadata!.name!,
      }),
    ),
  );
}

export function readStorageClass(c: MigrationClients, name: string): Promise<k8s.V1StorageClass | undefined> {
  return withRetry(`read StorageClass ${name}`, () =>
    readOptional(() => c.storage.readStorageClass({ name })),
  );
}

/** A copy of a StorageClass that provisions only in one zone (for Immediate binding classes). */
export async function createZonalClassIfAbsent(
  c: MigrationClients,
  source: k8s.V1StorageClass,
  name: string,
  zoneKey: string,
  zone: string,
  labels: Record<string, string>,
): Promise<void> {
  const body: k8s.V1StorageClass = {
    metadata: { name, labels },
    provisioner: source.provisioner,
    parameters: source.parameters,
    reclaimPolicy: source.reclaimPolicy,
    mountOptions: source.mountOptions,
    allowVolumeExpansion: source.allowVolumeExpansion,
    volumeBindingMode: 'Immediate',
    allowedTopologies: [{ matchLabelExpressions: [{ key: zoneKey, values: [zone] }] }],
  };
  await withRetry(`create StorageClass ${name}`, async () => {
    try {
      await c.storage.createStorageClass({ body });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  });
}

export async function deleteStorageClass(c: MigrationClients, name: string): Promise<void> {
  await withRetry(`delete StorageClass ${name}`, () =>
    readOptional(() => c.storage.deleteStorageClass({ name })),
  );
}

/** Nodes of a zone that can take a pod: Ready, schedulable. Sorted by name for a stable choice. */
export async function schedulableNodesInZone(
  c: MigrationClients,
  zoneKey: string,
  zone: string,
): Promise<string[]> {
  const list = await withRetry('list nodes', () => c.core.listNode({ labelSelector: `${zoneKey}=${zone}` }));
  return list.items
    .filter(
      (n) =>
        !n.spec?.unschedulable &&
        n.status?.conditions?.some((cond) => cond.type === 'Ready' && cond.status === 'True'),
    )
    .map((n) => n.metadata!.name!)
    .sort();
}

/** Records a Kubernetes Event on the workload; an event that cannot be written never fails the run. */
export async function recordEvent(
  c: MigrationClients,
  workload: { namespace: string; name: string; uid: string; kind: string },
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
): Promise<void> {
  const now = new Date();
  try {
    await c.core.createNamespacedEvent({
      namespace: workload.namespace,
      body: {
        metadata: { generateName: `${workload.name}.kubesafe.`, namespace: workload.namespace },
        involvedObject: {
          apiVersion: workload.kind === 'kruise' ? 'apps.kruise.io/v1beta1' : 'apps/v1',
          kind: 'StatefulSet',
          name: workload.name,
          namespace: workload.namespace,
          uid: workload.uid,
        },
        reason,
        message: message.slice(0, 1000),
        type,
        source: { component: 'kubesafe' },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  } catch {
    // Events are for people watching; the journal is the record.
  }
}
