/**
 * The per-volume pipeline of the downtime window, pure: once the workload is scaled to zero, each
 * moving volume goes snapshot -> stage -> swap on its own, without waiting for the other volumes
 * at each step. The journal keeps one record per step: a step is `started` (write-ahead) before
 * the first volume acts in it, and `done` once every volume has passed it, in step order. What a
 * volume has already done is read from its journal entry, so a resumed run continues each volume
 * where it stood.
 */
import type { ForwardStep, Journal, JournalVolume } from './journal.js';

/** The forward steps that run per volume, in their order. */
export const PIPELINE_STEPS = ['snapshot', 'stage', 'swap'] as const satisfies readonly ForwardStep[];
export type PipelineStep = (typeof PIPELINE_STEPS)[number];

export function isPipelineStep(step: ForwardStep): step is PipelineStep {
  return (PIPELINE_STEPS as readonly string[]).includes(step);
}

/** The pipeline steps the journal has not recorded as done, in order. */
export function pendingPipelineSteps(j: Journal): PipelineStep[] {
  return PIPELINE_STEPS.filter((s) => j.steps[s].state !== 'done');
}

/** The snapshot of this volume was seen readyToUse and recorded. */
export function snapshotRecorded(v: JournalVolume): boolean {
  return v.snapshotUid !== undefined;
}

/**
 * The staging volume is recorded and in its target zone. From here on the staging claim may be
 * gone (the swap deletes it), so the stage must never run again for this volume: it would
 * provision a second copy.
 */
export function stageRecorded(v: JournalVolume): boolean {
  return v.newPv !== undefined && v.newPvZone === v.targetZone;
}

/** The first pipeline step this volume still has to run, or undefined when it has run them all. */
export function entryStep(v: JournalVolume): PipelineStep | undefined {
  if (v.swapped) return undefined;
  if (stageRecorded(v)) return 'swap';
  if (snapshotRecorded(v)) return 'stage';
  return 'snapshot';
}

/** The pipeline steps this volume runs on this run, in order. */
export function volumeSteps(v: JournalVolume): PipelineStep[] {
  const first = entryStep(v);
  return first === undefined ? [] : PIPELINE_STEPS.slice(PIPELINE_STEPS.indexOf(first));
}

/**
 * Bookkeeping of which volume has passed which step (done it, or found it done earlier), so that a
 * step is closed once every volume has passed it, and steps close in their order.
 */
export class PipelineProgress {
  private readonly passed = new Map<PipelineStep, Set<string>>();
  private closed = 0;

  /**
   * @param steps the steps this run closes (those the journal has not recorded as done), in order
   * @param volumes the PVC names of the moving volumes
   */
  constructor(
    readonly steps: readonly PipelineStep[],
    private readonly volumes: readonly string[],
  ) {
    for (const s of steps) this.passed.set(s, new Set());
  }

  /**
   * Records that `pvc` has passed every step up to and including `step` (a volume that starts at a
   * later step has passed the earlier ones). Returns the steps that are complete now and were not
   * before, in order.
   */
  pass(pvc: string, step: PipelineStep): PipelineStep[] {
    const upTo = PIPELINE_STEPS.indexOf(step);
    for (const s of this.steps) if (PIPELINE_STEPS.indexOf(s) <= upTo) this.passed.get(s)!.add(pvc);
    return this.closeReady();
  }

  /** The steps complete now and not reported yet, in order (a step closes only after those before it). */
  private closeReady(): PipelineStep[] {
    const out: PipelineStep[] = [];
    while (this.closed < this.steps.length) {
      const s = this.steps[this.closed]!;
      if (!this.volumes.every((v) => this.passed.get(s)!.has(v))) break;
      out.push(s);
      this.closed++;
    }
    return out;
  }

  /** The steps complete now and not reported yet (all of them when there are no volumes). */
  flush(): PipelineStep[] {
    return this.closeReady();
  }

  /** Steps not complete yet, in order. */
  get open(): PipelineStep[] {
    return this.steps.slice(this.closed);
  }
}

/** The parts of a PV that say whom it is reserved for. */
export interface PvReservation {
  spec?: { claimRef?: { namespace?: string; name?: string; uid?: string } };
  status?: { phase?: string };
}

/** The PV is Bound and its claimRef names the claim with a UID: the PV side of a binding is done. */
export function pvBoundToClaim(pv: PvReservation | undefined, namespace: string, claim: string): boolean {
  const ref = pv?.spec?.claimRef;
  return (
    pv?.status?.phase === 'Bound' && ref?.name === claim && ref.namespace === namespace && Boolean(ref.uid)
  );
}

/**
 * The PV was provisioned for this very claim: its claimRef names the claim and the claim's UID (a
 * claim of the same name created later has another UID). Its phase does not matter: a provisioner
 * writes the claimRef when it creates the volume, before the PV controller binds anything.
 */
export function provisionedFor(
  pv: PvReservation | undefined,
  namespace: string,
  claim: string,
  claimUid: string,
): boolean {
  const ref = pv?.spec?.claimRef;
  return ref?.name === claim && ref.namespace === namespace && ref.uid === claimUid;
}

/** The annotation by which an external provisioner knows a claim is its to provision. */
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';

/**
 * The provisioner annotation a staging claim is created with: the value the PV controller would
 * write (the class's provisioner), so that the CSI provisioner starts the restore without waiting
 * for the PV controller's single claim worker to reach the claim; the controller then finds it set
 * and leaves it. Not for in-tree provisioner names (`kubernetes.io/...`), which the controller
 * translates to a migrated CSI driver's name.
 */
export function provisionerAnnotation(sc: { provisioner?: string }): Record<string, string> {
  const p = sc.provisioner;
  return p && !p.startsWith('kubernetes.io/') ? { [ANN_STORAGE_PROVISIONER]: p } : {};
}
