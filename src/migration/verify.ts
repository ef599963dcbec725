/** Verification decisions, pure over what the cluster showed: pods, bindings, node zones. */
import type { Journal } from './journal.js';
import { scaleUpBlockers, type ClaimBinding } from './state-machine.js';

export interface PodHealthView {
  name: string;
  ready: boolean;
  nodeName?: string;
  /** Sum of the containers' restartCount. */
  restarts: number;
  /** PVC names the pod mounts. */
  claims: string[];
  deleting: boolean;
  /** The pod object's resourceVersion: any change to the pod changes it. */
  version?: string;
}

export interface Observed {
  pods: PodHealthView[];
  bindings: ClaimBinding[];
  /** node name -> zone */
  nodeZones: Record<string, string>;
}

export interface HealthAssessment {
  healthy: boolean;
  problems: string[];
}

/** The zone each PVC's volume should be in now: the target after a migration, the source in a rollback. */
export function intendedZones(j: Journal): Map<string, string> {
  return new Map(
    j.volumes.map((v) => [v.pvc, j.direction === 'forward' && v.moves ? v.targetZone : v.sourceZone]),
  );
}

/**
 * Healthy means: as many pods as the original replicas, each Ready on a node of its volume's zone,
 * every PVC name bound to its intended volume, and (when a baseline is given) no restart since it.
 */
export function assessHealth(
  j: Journal,
  o: Observed,
  restartBaseline?: Record<string, number>,
): HealthAssessment {
  const problems: string[] = [];
  const live = o.pods.filter((p) => !p.deleting);
  if (live.length !== j.originalReplicas) problems.push(`${live.length} of ${j.originalReplicas} pods exist`);
  const zones = intendedZones(j);
  for (const p of [...live].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!p.ready) problems.push(`${p.name} is not Ready`);
    const nodeZone = p.nodeName ? o.nodeZones[p.nodeName] : undefined;
    for (const claim of p.claims) {
      const want = zones.get(claim);
      if (want && nodeZone !== want)
        problems.push(
          `${p.name} runs in ${nodeZone ?? 'no zone (unscheduled)'}, its volume ${claim} is in ${want}`,
        );
    }
    const before = restartBaseline?.[p.name];
    if (before !== undefined && p.restarts > before)
      problems.push(`${p.name} restarted ${p.restarts - before} times during the health window`);
  }
  problems.push(...scaleUpBlockers(j, o.bindings));
  return { healthy: problems.length === 0, problems };
}

/** Identifies the pods' state: equal signatures, no pod changed. */
export function podsSignature(pods: PodHealthView[]): string {
  return pods
    .map((p) => `${p.name}@${p.version ?? ''}`)
    .sort()
    .join(',');
}

/**
 * The pods alone could be healthy: the original replica count, none deleting, every one Ready.
 * What else health needs (zones, bindings, restarts) takes API reads, worth making only then.
 */
export function podsLookReady(j: Journal, pods: PodHealthView[]): boolean {
  const live = pods.filter((p) => !p.deleting);
  return live.length === j.originalReplicas && live.every((p) => p.ready);
}

export function restartCounts(pods: PodHealthView[]): Record<string, number> {
  return Object.fromEntries(pods.map((p) => [p.name, p.restarts]));
}

/** verify-command outputs that differ between before and after, by pod name. */
export function verifyOutputDifferences(
  before: Record<string, string>,
  after: Record<string, string>,
): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const diffs: string[] = [];
  for (const n of names) {
    if (!(n in before)) diffs.push(`${n}: no output before the migration`);
    else if (!(n in after)) diffs.push(`${n}: no output after the migration`);
    else if (before[n] !== after[n])
      diffs.push(
        `${n}: output changed (${JSON.stringify(before[n]!.slice(0, 80))} -> ${JSON.stringify(after[n]!.slice(0, 80))})`,
      );
  }
  return diffs;
}

/** Counts consecutive failed checks; `max` in a row ends the wait. */
export class FailureCounter {
  private consecutive = 0;
  constructor(readonly max: number) {}
  record(healthy: boolean): boolean {
    this.consecutive = healthy ? 0 : this.consecutive + 1;
    return this.consecutive >= this.max;
  }
  get count(): number {
    return this.consecutive;
  }
}
