import type { WorkloadRef } from '../migration/types.js';
import { k8s, withRetry } from './client.js';
import type { MigrationClients } from './clients.js';

const KRUISE = { group: 'apps.kruise.io', version: 'v1beta1', plural: 'statefulsets' };

/** The workload object itself (StatefulSet or Kruise Advanced StatefulSet), as plain JSON. */
export async function readWorkload(c: MigrationClients, w: WorkloadRef): Promise<k8s.V1StatefulSet> {
  return withRetry(`read ${w.name}`, async () =>
    w.kind === 'kube'
      ? c.apps.readNamespacedStatefulSet({ name: w.name, namespace: w.namespace })
      : ((await c.custom.getNamespacedCustomObject({
          ...KRUISE,
          namespace: w.namespace,
          name: w.name,
        })) as k8s.V1StatefulSet),
  );
}

/** Sets spec.replicas through the scale subresource, so that only the replica count changes. */
export async function scaleWorkload(c: MigrationClients, w: WorkloadRef, replicas: number): Promise<void> {
  const body = { spec: { replicas } };
  const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  await withRetry(`scale ${w.name} to ${replicas}`, async () => {
    if (w.kind === 'kube')
      await c.apps.patchNamespacedStatefulSetScale({ name: w.name, namespace: w.namespace, body }, merge);
    else
      await c.custom.patchNamespacedCustomObjectScale(
        { ...KRUISE, namespace: w.namespace, name: w.name, body },
        merge,
      );
  });
}

/** The workload's pods: those its selector matches and it owns. */
export function podSelector(sts: k8s.V1StatefulSet): string {
  const labels = sts.spec?.selector?.matchLabels ?? {};
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
