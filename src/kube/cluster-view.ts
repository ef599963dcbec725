/** Reads what cluster-verify checks into plain data (src/verify/checks.ts decides). Read-only. */
import type {
  Observation,
  ObservedNode,
  ObservedPod,
  ObservedWorkload,
  WorkloadRef,
} from '../verify/checks.js';
import { k8s, statusOf, withRetry } from './client.js';

export interface ClusterView {
  observe(namespaces: string[], workloads: WorkloadRef[]): Promise<Observation>;
}

export function toObservedNode(n: k8s.V1Node): ObservedNode {
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
  return {
    name: n.metadata?.name ?? '',
    ready: ready?.status === 'True',
    why:
      ready?.status === 'True'
        ? undefined
        : [ready?.reason, ready?.message].filter(Boolean).join(': ') || 'no Ready condition',
    unschedulable: n.spec?.unschedulable === true,
  };
}

export function toObservedPod(p: k8s.V1Pod): ObservedPod {
  const statuses = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
  return {
    namespace: p.metadata?.namespace ?? '',
    name: p.metadata?.name ?? '',
    labels: p.metadata?.labels ?? {},
    phase: p.status?.phase ?? 'Unknown',
    ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    containers: statuses.map((s) => ({
      name: s.name,
      restartCount: s.restartCount,
      waitingReason: s.state?.waiting?.reason,
    })),
  };
}

function notFound(ref: WorkloadRef): ObservedWorkload {
  return { ...ref, found: false, desired: 0, ready: 0, updated: 0, generation: 0, observedGeneration: 0 };
}

export function makeClusterView(kc: k8s.KubeConfig): ClusterView {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);

  async function readWorkload(ref: WorkloadRef): Promise<ObservedWorkload> {
    const params = { name: ref.name, namespace: ref.namespace };
    const what = `read ${ref.kind} ${ref.namespace}/${ref.name}`;
    try {
      if (ref.kind === 'statefulset') {
        const s = await withRetry(what, () => apps.readNamespacedStatefulSet(params));
        return {
          ...ref,
          found: true,
          desired: s.spec?.replicas ?? 1,
          ready: s.status?.readyReplicas ?? 0,
          updated: s.status?.updatedReplicas ?? 0,
          generation: s.metadata?.generation ?? 0,
          observedGeneration: s.status?.observedGeneration ?? 0,
        };
      }
      if (ref.kind === 'deployment') {
        const d = await withRetry(what, () => apps.readNamespacedDeployment(params));
        return {
          ...ref,
          found: true,
          desired: d.spec?.replicas ?? 1,
          ready: d.status?.readyReplicas ?? 0,
          updated: d.status?.updatedReplicas ?? 0,
          generation: d.metadata?.generation ?? 0,
          observedGeneration: d.status?.observedGeneration ?? 0,
        };
      }
      const ds = await withRetry(what, () => apps.readNamespacedDaemonSet(params));
      return {
        ...ref,
        found: true,
        desired: ds.status?.desiredNumberScheduled ?? 0,
        ready: ds.status?.numberReady ?? 0,
        updated: ds.status?.updatedNumberScheduled ?? 0,
        generation: ds.metadata?.generation ?? 0,
        observedGeneration: ds.status?.observedGeneration ?? 0,
      };
    } catch (err) {
      if (statusOf(err) === 404) return notFound(ref);
      throw err;
    }
  }

  async function podsOf(namespace: string): Promise<ObservedPod[]> {
    const list = await withRetry(`list pods in ${namespace}`, () => core.listNamespacedPod({ namespace }));
    return list.items.map(toObservedPod);
  }

  return {
    async observe(namespaces, workloads) {
      const [nodes, systemPods, pods, observed] = await Promise.all([
        withRetry('list nodes', () => core.listNode()).then((l) => l.items.map(toObservedNode)),
        podsOf('kube-system'),
        Promise.all(namespaces.map(podsOf)).then((l) => l.flat()),
        Promise.all(workloads.map(readWorkload)),
      ]);
      return { nodes, systemPods, pods, workloads: observed };
    },
  };
}
