/**
 * Reads: the workload (apps/v1 or Kruise apps.kruise.io/v1beta1) and, in one pass, everything the precheck
 * looks at, as plain data (src/migration/types.ts ClusterView). Nothing here changes the cluster; the
 * only create is a SelfSubjectAccessReview, which stores nothing.
 */
import type {
  AccessCheck,
  ClusterView,
  LabelSelector,
  PdbView,
  PodView,
  PrecheckSettings,
  ScalerView,
  SnapshotClassView,
  StatefulSetView,
  WorkloadRef,
} from '../migration/types.js';
import { permissionsFor, type PermissionAction } from '../migration/permissions.js';
import { KubesafeError } from '../errors.js';
import { describeApiError, statusOf, withRetry } from './client.js';
import type { KubeAccess } from './access.js';

export const KRUISE = { group: 'apps.kruise.io', version: 'v1beta1', plural: 'statefulsets' };
const SNAPSHOT_GROUP = 'snapshot.storage.k8s.io';
const KEDA = { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects' };

/** Plain data out of client-node's model classes (dates become strings, as in the JSON). */
function plain<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The StatefulSet of either kind; throws the API error (404 when absent). */
export async function readWorkload(access: KubeAccess, ref: WorkloadRef): Promise<StatefulSetView> {
  const { namespace, name } = ref;
  if (ref.kind === 'kruise') {
    const obj = await withRetry(`read Kruise StatefulSet ${namespace}/${name}`, () =>
      access.custom.getNamespacedCustomObject({ ...KRUISE, namespace, name }),
    );
    return plain<StatefulSetView>(obj);
  }
  const obj = await withRetry(`read StatefulSet ${namespace}/${name}`, () =>
    access.apps.readNamespacedStatefulSet({ name, namespace }),
  );
  return plain<StatefulSetView>(obj);
}

/** `a=b,c in (d,e),!f` for the API's labelSelector parameter. */
export function labelSelectorQuery(selector: LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

function describeWorkloadError(err: unknown, ref: WorkloadRef): string {
  const what = ref.kind === 'kruise' ? 'Advanced StatefulSet (apps.kruise.io/v1beta1)' : 'StatefulSet';
  if (statusOf(err) === 404) {
    const msg = describeApiError(err);
    if (ref.kind === 'kruise' && /could not find the requested resource|404 page not found/i.test(msg)) {
      return `${what} ${ref.namespace}/${ref.name}: apps.kruise.io/v1beta1 is not served (is OpenKruise installed?)`;
    }
    return `${what} ${ref.namespace}/${ref.name} not found`;
  }
  return `${what} ${ref.namespace}/${ref.name} could not be read: ${describeApiError(err)}`;
}

/** The API groups and versions the server serves. */
export async function servedGroupVersions(access: KubeAccess): Promise<Set<string>> {
  const groups = await withRetry('list API groups', () => access.apis.getAPIVersions());
  const out = new Set<string>();
  for (const g of groups.groups ?? []) for (const v of g.versions ?? []) out.add(v.groupVersion);
  return out;
}

/** One SelfSubjectAccessReview per verb of the action's permission table, a few at a time. */
export async function reviewAccess(
  access: KubeAccess,
  action: PermissionAction,
  ref: WorkloadRef,
): Promise<AccessCheck[]> {
  const asks: Omit<AccessCheck, 'allowed'>[] = [];
  for (const p of permissionsFor(action, ref.kind)) {
    for (const verb of p.verbs) {
      asks.push({
        group: p.group,
        resource: p.resource,
        subresource: p.subresource,
        verb,
        namespace: p.namespaced ? ref.namespace : undefined,
        onlyFor: p.onlyFor,
      });
    }
  }
  const out: AccessCheck[] = new Array(asks.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < asks.length; i = next++) {
      const a = asks[i]!;
      const review = await withRetry(`SelfSubjectAccessReview ${a.verb} ${a.resource}`, () =>
        access.authorization.createSelfSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: {
              resourceAttributes: {
                group: a.group,
                resource: a.resource,
                subresource: a.subresource,
                verb: a.verb,
                namespace: a.namespace,
              },
            },
          },
        }),
      );
      out[i] = { ...a, allowed: review.status?.allowed === true };
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return out;
}

/** Everything the precheck needs, read once. A list that cannot be read is recorded in `unreadable`, not thrown. */
export async function readClusterSnapshot(
  access: KubeAccess,
  settings: PrecheckSettings,
): Promise<ClusterView> {
  const ref = settings.workload;
  const { namespace } = ref;
  const unreadable: Record<string, string> = {};
  const tryRead = async <T>(what: string, fn: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await withRetry(`list ${what}`, fn);
    } catch (err) {
      unreadable[what] = describeApiError(err);
      return fallback;
    }
  };

  let workload: StatefulSetView | undefined;
  let workloadError: string | undefined;
  try {
    workload = await readWorkload(access, ref);
  } catch (err) {
    workloadError = describeWorkloadError(err, ref);
  }
  let served: Set<string>;
  try {
    served = await withRetry('list API groups', () => servedGroupVersions(access));
  } catch (err) {
    // No HTTP status: the server was not reached, so no check could say anything true.
    if (statusOf(err) === undefined)
      throw new KubesafeError(`cannot reach the Kubernetes API: ${describeApiError(err)}`, { cause: err });
    unreadable['API groups'] = describeApiError(err);
    served = new Set();
  }
  const snapshotApiServed = served.has(`${SNAPSHOT_GROUP}/v1`);
  const kedaServed = served.has(`${KEDA.group}/${KEDA.version}`);
  const selector = labelSelectorQuery(workload?.spec?.selector);

  const [
    pods,
    allPods,
    pvcs,
    pvs,
    nodes,
    storageClasses,
    snapshotClasses,
    quotas,
    hpas,
    scaledObjects,
    pdbs,
    accessChecks,
  ] = await Promise.all([
    workload && selector
      ? tryRead(
          'pods',
          async () =>
            plain<PodView[]>(
              (await access.core.listNamespacedPod({ namespace, labelSelector: selector })).items,
            ),
          [],
        )
      : Promise.resolve([] as PodView[]),
    tryRead(
      'pods on nodes',
      async () =>
        plain<PodView[]>(
          (await access.core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName!=' })).items,
        ),
      [],
    ),
    tryRead(
      'persistentvolumeclaims',
      async () =>
        plain<ClusterView['pvcs']>(
          (await access.core.listNamespacedPersistentVolumeClaim({ namespace })).items,
        ),
      [],
    ),
    tryRead(
      'persistentvolumes',
      async () => plain<ClusterView['pvs']>((await access.core.listPersistentVolume()).items),
      [],
    ),
    tryRead('nodes', async () => plain<ClusterView['nodes']>((await access.core.listNode()).items), []),
    tryRead(
      'storageclasses',
      async () => plain<ClusterView['storageClasses']>((await access.storage.listStorageClass()).items),
      [],
    ),
    snapshotApiServed
      ? tryRead(
          'volumesnapshotclasses',
          async () =>
            (
              (await access.custom.listClusterCustomObject({
                group: SNAPSHOT_GROUP,
                version: 'v1',
                plural: 'volumesnapshotclasses',
              })) as { items: SnapshotClassView[] }
            ).items,
          [],
        )
      : Promise.resolve([] as SnapshotClassView[]),
    tryRead(
      'resourcequotas',
      async () =>
        plain<ClusterView['resourceQuotas']>(
          (await access.core.listNamespacedResourceQuota({ namespace })).items,
        ),
      [],
    ),
    tryRead(
      'horizontalpodautoscalers',
      async () => (await access.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace })).items,
      [],
    ),
    kedaServed
      ? tryRead(
          'scaledobjects',
          async () =>
            (
              (await access.custom.listNamespacedCustomObject({ ...KEDA, namespace })) as {
                items: {
                  metadata: { name: string };
                  spec?: { scaleTargetRef?: { kind?: string; name?: string; apiVersion?: string } };
                }[];
              }
            ).items,
          [],
        )
      : Promise.resolve([]),
    tryRead(
      'poddisruptionbudgets',
      async () =>
        plain<PdbView[]>((await access.policy.listNamespacedPodDisruptionBudget({ namespace })).items),
      [],
    ),
    tryRead('selfsubjectaccessreviews', () => reviewAccess(access, 'zone-migrate', ref), [] as AccessCheck[]),
  ]);

  const scalers: ScalerView[] = [
    ...hpas.map((h) => ({
      kind: 'HorizontalPodAutoscaler' as const,
      name: h.metadata?.name ?? '',
      targetKind: h.spec.scaleTargetRef.kind,
      targetName: h.spec.scaleTargetRef.name,
      targetApiVersion: h.spec.scaleTargetRef.apiVersion,
    })),
    ...scaledObjects.map((s) => ({
      kind: 'ScaledObject' as const,
      name: s.metadata.name,
      // KEDA defaults the target kind to Deployment.
      targetKind: s.spec?.scaleTargetRef?.kind ?? 'Deployment',
      targetName: s.spec?.scaleTargetRef?.name ?? '',
      targetApiVersion: s.spec?.scaleTargetRef?.apiVersion,
    })),
  ];
  const own = new Set(pods.map((p) => p.metadata.uid));
  return {
    workload,
    workloadError,
    pods,
    otherPods: allPods.filter((p) => !own.has(p.metadata.uid)),
    pvcs,
    pvs,
    nodes,
    storageClasses,
    snapshotClasses,
    snapshotApiServed,
    resourceQuotas: quotas,
    scalers,
    kedaServed,
    pdbs,
    access: accessChecks,
    unreadable,
  };
}
