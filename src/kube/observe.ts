/** Reads what verification and the waits look at, turned into the plain shapes of src/migration/verify.ts. */
import type { Journal } from '../migration/journal.js';
import type { ClaimBinding } from '../migration/state-machine.js';
import type { Observed, PodHealthView } from '../migration/verify.js';
import { k8s, withRetry } from './client.js';
import type { MigrationClients } from './clients.js';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export function podHealthView(p: k8s.V1Pod): PodHealthView {
  return {
    name: p.metadata!.name!,
    ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    nodeName: p.spec?.nodeName,
    restarts: (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0),
    claims: (p.spec?.volumes ?? []).flatMap((v) =>
      v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : [],
    ),
    deleting: p.metadata?.deletionTimestamp !== undefined,
    version: p.metadata?.resourceVersion,
  };
}

/** The zone a PV is pinned to: its nodeAffinity value for the zone key (or any key naming a zone). */
export function pvZone(pv: k8s.V1PersistentVolume, zoneKey: string): string | undefined {
  const exprs = (pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []).flatMap(
    (t) => t.matchExpressions ?? [],
  );
  const pick = exprs.find((e) => e.key === zoneKey) ?? exprs.find((e) => /zone/i.test(e.key));
  return pick?.operator === 'In' && pick.values?.length === 1 ? pick.values[0] : undefined;
}

export function nodeZone(n: k8s.V1Node, zoneKey: string): string | undefined {
  return n.metadata?.labels?.[zoneKey] ?? n.metadata?.labels?.[ZONE_LABEL];
}

export function ownedBy(o: k8s.KubernetesObject, uid: string): boolean {
  return o.metadata?.ownerReferences?.some((r) => r.uid === uid) ?? false;
}

export async function workloadPods(c: MigrationClients, j: Journal, selector: string): Promise<k8s.V1Pod[]> {
  const list = await withRetry('list pods', () =>
    c.core.listNamespacedPod({ namespace: j.workload.namespace, labelSelector: selector }),
  );
  return list.items.filter((p) => ownedBy(p, j.workload.uid));
}

export async function claimBindings(c: MigrationClients, j: Journal): Promise<ClaimBinding[]> {
  const list = await withRetry('list PVCs', () =>
    c.core.listNamespacedPersistentVolumeClaim({ namespace: j.workload.namespace }),
  );
  const byName = new Map(list.items.map((p) => [p.metadata!.name!, p]));
  return j.volumes.map((v) => {
    const p = byName.get(v.pvc);
    return {
      pvc: v.pvc,
      exists: p !== undefined && !p.metadata?.deletionTimestamp,
      phase: p?.status?.phase,
      volumeName: p?.spec?.volumeName,
    };
  });
}

export async function observe(c: MigrationClients, j: Journal, selector: string): Promise<Observed> {
  const [pods, bindings, nodes] = await Promise.all([
    workloadPods(c, j, selector),
    claimBindings(c, j),
    withRetry('list nodes', () => c.core.listNode()),
  ]);
  const nodeZones: Record<string, string> = {};
  for (const n of nodes.items) {
    const z = nodeZone(n, j.zoneKey);
    if (z) nodeZones[n.metadata!.name!] = z;
  }
  return { pods: pods.map(podHealthView), bindings, nodeZones };
}
