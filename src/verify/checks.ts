/**
 * Post-change verification, pure: what the cluster looks like (an Observation, plain data read by
 * src/kube/cluster-view.ts) -> one result per thing checked. No I/O here.
 */

export type VerifyStatus = 'pass' | 'fail';

export interface VerifyCheck {
  /** `nodes`, `control-plane`, `crashloop`, `workload` or `command`. */
  check: string;
  /** What was checked: a node, a pod, `statefulset/ns/name`, a command. */
  target: string;
  status: VerifyStatus;
  reason: string;
}

export interface ObservedNode {
  name: string;
  ready: boolean;
  /** The Ready condition's reason/message when not Ready. */
  why?: string;
  unschedulable: boolean;
}

export interface ObservedContainer {
  name: string;
  restartCount: number;
  /** `state.waiting.reason`, e.g. CrashLoopBackOff. */
  waitingReason?: string;
}

export interface ObservedPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  phase: string;
  ready: boolean;
  containers: ObservedContainer[];
}

export type WorkloadKind = 'statefulset' | 'deployment' | 'daemonset';

export interface WorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
}

export interface ObservedWorkload extends WorkloadRef {
  found: boolean;
  desired: number;
  ready: number;
  /** Replicas already on the newest template (updatedReplicas / updatedNumberScheduled). */
  updated: number;
  generation: number;
  observedGeneration: number;
}

export interface Observation {
  nodes: ObservedNode[];
  /** Every pod of kube-system (control-plane pods are picked from them). */
  systemPods: ObservedPod[];
  /** Pods of the namespaces under watch for crash loops. */
  pods: ObservedPod[];
  workloads: ObservedWorkload[];
}

export const CONTROL_PLANE_COMPONENTS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'etcd',
] as const;

export function workloadId(w: WorkloadRef): string {
  return `${w.kind}/${w.namespace}/${w.name}`;
}

export function podId(p: { namespace: string; name: string }): string {
  return `${p.namespace}/${p.name}`;
}

export function checkNodes(nodes: ObservedNode[]): VerifyCheck[] {
  if (nodes.length === 0)
    return [{ check: 'nodes', target: '*', status: 'fail', reason: 'the cluster has no nodes' }];
  return nodes.map((n) => ({
    check: 'nodes',
    target: n.name,
    status: n.ready ? 'pass' : 'fail',
    reason: n.ready
      ? `Ready${n.unschedulable ? ' (cordoned)' : ''}`
      : `not Ready${n.why ? `: ${n.why}` : ''}`,
  }));
}

/** kubeadm-style static pods: `tier=control-plane`, or `component` naming a control-plane component. */
export function isControlPlanePod(p: ObservedPod): boolean {
  return (
    p.labels.tier === 'control-plane' ||
    (CONTROL_PLANE_COMPONENTS as readonly string[]).includes(p.labels.component ?? '')
  );
}

export function checkControlPlane(systemPods: ObservedPod[]): VerifyCheck[] {
  const pods = systemPods.filter(isControlPlanePod);
  // Managed control planes (EKS, GKE, AKS) run no such pods; the API answering is all we can see.
  if (pods.length === 0)
    return [
      {
        check: 'control-plane',
        target: 'kube-system',
        status: 'pass',
        reason: 'no control-plane pods in kube-system (managed control plane); the API server answers',
      },
    ];
  return pods.map((p) => ({
    check: 'control-plane',
    target: podId(p),
    status: p.ready ? 'pass' : 'fail',
    reason: p.ready ? 'Ready' : `not Ready (phase ${p.phase}${waitingText(p)})`,
  }));
}

function waitingText(p: ObservedPod): string {
  const w = p.containers.filter((c) => c.waitingReason).map((c) => `${c.name}: ${c.waitingReason}`);
  return w.length ? `; ${w.join(', ')}` : '';
}

function restarts(p: ObservedPod): number {
  return p.containers.reduce((n, c) => n + c.restartCount, 0);
}

/**
 * A pod crash-loops when a container waits in CrashLoopBackOff, or when its restart count rose since
 * the previous observation. Only pods that fail are listed, plus one pass line per namespace.
 */
export function checkCrashLoops(
  namespaces: string[],
  pods: ObservedPod[],
  previous: ObservedPod[] | undefined,
): VerifyCheck[] {
  const before = new Map((previous ?? []).map((p) => [podId(p), restarts(p)]));
  const out: VerifyCheck[] = [];
  for (const p of pods) {
    const looping = p.containers.filter((c) => c.waitingReason === 'CrashLoopBackOff');
    const was = before.get(podId(p));
    const now = restarts(p);
    if (looping.length > 0)
      out.push({
        check: 'crashloop',
        target: podId(p),
        status: 'fail',
        reason: `CrashLoopBackOff in ${looping.map((c) => `${c.name} (${c.restartCount} restarts)`).join(', ')}`,
      });
    else if (was !== undefined && now > was)
      out.push({
        check: 'crashloop',
        target: podId(p),
        status: 'fail',
        reason: `restarts rose from ${was} to ${now} while verifying`,
      });
  }
  for (const ns of namespaces) {
    if (!out.some((c) => c.target.startsWith(`${ns}/`))) {
      const n = pods.filter((p) => p.namespace === ns).length;
      out.push({
        check: 'crashloop',
        target: ns,
        status: 'pass',
        reason: `${n} pod${n === 1 ? '' : 's'}, none crash-looping`,
      });
    }
  }
  return out;
}

export function checkWorkload(w: ObservedWorkload): VerifyCheck {
  const target = workloadId(w);
  const fail = (reason: string): VerifyCheck => ({ check: 'workload', target, status: 'fail', reason });
  if (!w.found) return fail('not found');
  if (w.observedGeneration < w.generation)
    return fail(`the controller has not yet observed generation ${w.generation}`);
  if (w.ready !== w.desired) return fail(`${w.ready}/${w.desired} ready`);
  if (w.updated < w.desired)
    return fail(`${w.updated}/${w.desired} on the current template (rollout in progress)`);
  return { check: 'workload', target, status: 'pass', reason: `${w.ready}/${w.desired} ready` };
}

/** Every Kubernetes check over one observation; `previous` is the observation before it, if any. */
export function evaluate(
  obs: Observation,
  previous: Observation | undefined,
  options: { nodes: boolean; controlPlane: boolean; namespaces: string[] },
): VerifyCheck[] {
  return [
    ...(options.nodes ? checkNodes(obs.nodes) : []),
    ...(options.controlPlane ? checkControlPlane(obs.systemPods) : []),
    ...checkCrashLoops(options.namespaces, obs.pods, previous?.pods),
    ...obs.workloads.map(checkWorkload),
  ];
}

export function failed(checks: VerifyCheck[]): VerifyCheck[] {
  return checks.filter((c) => c.status === 'fail');
}
