/**
 * The migration plan: which volume goes to which zone. Pure.
 *
 * The unit of placement is an ordinal, not a PVC: a pod mounts all its PVCs, so they must share a zone.
 * Rule: an ordinal whose volumes are already in a target zone stays there and counts toward that zone.
 * Every other ordinal, in ascending order, goes to the target zone that holds the fewest ordinals so far;
 * ties go to the zone given first. Targets [b, c] with three ordinals in a give b, c, b; with ordinal 0
 * already in b and 1, 2 in a, they give 1 -> c, 2 -> b.
 */
import type { MigrationPlan, PlannedVolume, WorkloadRef } from './types.js';

export interface VolumeFacts {
  pvc: string;
  pv: string;
  sizeBytes: number;
  driver: string;
  /** '' when unknown. */
  sourceZone: string;
  snapshotClass: string;
}

export interface OrdinalFacts {
  ordinal: number;
  volumes: VolumeFacts[];
}

export interface PlanInput {
  workload: WorkloadRef;
  zoneKey: string;
  replicas: number;
  targetZones: string[];
  ordinals: OrdinalFacts[];
  /** `Parallel` pods start together; `OrderedReady` (the default) one after another. */
  podManagementPolicy?: string;
}

/** The zone of an ordinal: that of its volumes when they agree, else undefined. */
export function ordinalZone(o: OrdinalFacts): string | undefined {
  const zones = new Set(o.volumes.map((v) => v.sourceZone));
  return zones.size === 1 ? [...zones][0] : undefined;
}

/** Target zone per ordinal (see the rule at the top of this file). */
export function assignZones(ordinals: OrdinalFacts[], targetZones: string[]): Map<number, string> {
  const counts = new Map(targetZones.map((z) => [z, 0]));
  const out = new Map<number, string>();
  const sorted = [...ordinals].sort((a, b) => a.ordinal - b.ordinal);
  for (const o of sorted) {
    const zone = ordinalZone(o);
    if (zone !== undefined && counts.has(zone)) {
      out.set(o.ordinal, zone);
      counts.set(zone, counts.get(zone)! + 1);
    }
  }
  if (targetZones.length === 0) return out;
  for (const o of sorted) {
    if (out.has(o.ordinal)) continue;
    let best = targetZones[0]!;
    for (const z of targetZones) if (counts.get(z)! < counts.get(best)!) best = z;
    out.set(o.ordinal, best);
    counts.set(best, counts.get(best)! + 1);
  }
  return out;
}

/**
 * A rough downtime: scale-down, snapshots (in parallel, so the largest moving volume), restores (the same),
 * swaps, then pods starting (one after another unless Parallel). Assumptions are in the constants; it is
 * always shown as an estimate.
 */
export const DOWNTIME_ASSUMPTIONS = {
  scaleDownSeconds: 30,
  snapshotSecondsPerGiB: 2,
  restoreSecondsPerGiB: 4,
  swapSecondsPerVolume: 5,
  podStartSeconds: 30,
};

export function estimateDowntimeSeconds(
  volumes: PlannedVolume[],
  replicas: number,
  podManagementPolicy = 'OrderedReady',
): number {
  const moving = volumes.filter((v) => v.moves);
  if (moving.length === 0) return 0;
  const a = DOWNTIME_ASSUMPTIONS;
  const largestGiB = Math.max(...moving.map((v) => v.sizeBytes)) / 2 ** 30;
  const starts = podManagementPolicy === 'Parallel' ? 1 : Math.max(1, replicas);
  return Math.ceil(
    a.scaleDownSeconds +
      largestGiB * (a.snapshotSecondsPerGiB + a.restoreSecondsPerGiB) +
      moving.length * a.swapSecondsPerVolume +
      starts * a.podStartSeconds,
  );
}

/** The plan: one entry per PVC, in ordinal then PVC order. */
export function planMigration(input: PlanInput): MigrationPlan {
  const zones = assignZones(input.ordinals, input.targetZones);
  const volumes: PlannedVolume[] = [];
  for (const o of [...input.ordinals].sort((a, b) => a.ordinal - b.ordinal)) {
    const target = zones.get(o.ordinal) ?? '';
    for (const v of o.volumes) {
      volumes.push({
        ordinal: o.ordinal,
        ...v,
        targetZone: target,
        moves: target !== '' && v.sourceZone !== target,
      });
    }
  }
  return {
    workload: input.workload,
    zoneKey: input.zoneKey,
    replicas: input.replicas,
    volumes,
    estimatedDowntimeSeconds: estimateDowntimeSeconds(volumes, input.replicas, input.podManagementPolicy),
  };
}
