/**
 * The migration's decisions, pure over the journal: which step runs next, which steps undo what was
 * done, and whether the workload may be scaled up. The executor (execute.ts) only carries them out.
 */
import {
  FORWARD_STEPS,
  ROLLBACK_STEPS,
  type ForwardStep,
  type Journal,
  type JournalRollback,
  type RollbackStep,
  type StepName,
} from './journal.js';

export type NextAction =
  | { kind: 'forward'; step: ForwardStep }
  | { kind: 'rollback'; step: RollbackStep }
  | { kind: 'closed'; status: Journal['status'] };

function started(j: Journal, step: StepName): boolean {
  return j.steps[step].state !== 'pending';
}

/**
 * The rollback steps that undo what the forward steps recorded as started, in order. A step that was
 * only started may have half-happened, so it is undone as if it had finished (every undo is
 * idempotent).
 */
export function rollbackPath(j: Journal): RollbackStep[] {
  const needed: Record<RollbackStep, boolean> = {
    // Pods must be gone before PVC names are re-pointed at the source volumes.
    'rollback-scale-down': started(j, 'swap'),
    'rollback-claims': started(j, 'swap'),
    'rollback-staging': started(j, 'stage'),
    'rollback-scale-up': started(j, 'scale-down'),
    'rollback-verify': started(j, 'scale-down'),
    'rollback-reclaim': started(j, 'retain'),
  };
  return ROLLBACK_STEPS.filter((s) => needed[s]);
}

/** The next thing to do for this journal. */
export function nextAction(j: Journal): NextAction {
  if (j.status !== 'open') return { kind: 'closed', status: j.status };
  if (j.direction === 'rollback') {
    const step = rollbackPath(j).find((s) => j.steps[s].state !== 'done');
    return step ? { kind: 'rollback', step } : { kind: 'closed', status: 'rolled-back' };
  }
  const step = FORWARD_STEPS.find((s) => j.steps[s].state !== 'done');
  return step ? { kind: 'forward', step } : { kind: 'closed', status: 'migrated' };
}

/** Why a rollback is no longer possible, or undefined when it is. */
export function rollbackBlocker(j: Journal): string | undefined {
  if (j.status !== 'open') return `the journal is closed (${j.status}); there is nothing to roll back`;
  const deleted = j.volumes.filter((v) => v.sourceDeleted).map((v) => v.sourcePv);
  if (deleted.length > 0)
    return `source volumes were already deleted after verification (${deleted.join(', ')})`;
  return undefined;
}

/**
 * Failures once verification passed are not rolled back: the workload runs healthy on its new
 * volumes, and finalize is resumed instead.
 */
export function failureRollsBack(j: Journal): boolean {
  return j.direction === 'forward' && j.steps.verify.state !== 'done';
}

/** The first forward step that is started but not done: where a failure happened. */
export function currentForwardStep(j: Journal): ForwardStep | undefined {
  return (
    FORWARD_STEPS.find((s) => j.steps[s].state === 'started') ??
    FORWARD_STEPS.find((s) => j.steps[s].state !== 'done')
  );
}

export function beginRollback(
  j: Journal,
  reason: string,
  failedStep: JournalRollback['failedStep'],
  now: string,
): Journal {
  if (j.direction === 'rollback') return j;
  return {
    ...j,
    direction: 'rollback',
    updatedAt: now,
    rollback: { reason, failedStep, startedAt: now, undone: [], kept: [] },
  };
}

export function closeJournal(j: Journal, status: 'migrated' | 'rolled-back', now: string): Journal {
  return { ...j, status, updatedAt: now };
}

/** What the cluster says about one PVC name right now. */
export interface ClaimBinding {
  pvc: string;
  exists: boolean;
  phase?: string;
  volumeName?: string;
}

/**
 * Rule 2: the StatefulSet may be scaled up only when every PVC name it uses is Bound to the volume
 * intended for it (the new PV after a swap, the source PV otherwise or in a rollback). Returns the
 * reasons it may not; empty means it may.
 */
export function scaleUpBlockers(j: Journal, bindings: ClaimBinding[]): string[] {
  const byName = new Map(bindings.map((b) => [b.pvc, b]));
  const reasons: string[] = [];
  for (const v of j.volumes) {
    const intended = j.direction === 'forward' && v.moves ? v.newPv : v.sourcePv;
    const b = byName.get(v.pvc);
    if (!intended) reasons.push(`${v.pvc}: no new volume recorded`);
    else if (!b?.exists) reasons.push(`${v.pvc}: no PVC of that name exists`);
    else if (b.phase !== 'Bound' || b.volumeName !== intended) {
      reasons.push(
        `${v.pvc}: ${b.phase ?? 'unknown phase'} to ${b.volumeName || 'no volume'}, expected Bound to ${intended}`,
      );
    }
  }
  return reasons;
}

/** Scale-to-zero until Ready again, in milliseconds, when both ends are known. */
export function downtimeMs(j: Journal): number | undefined {
  if (!j.scaledDownAt || !j.readyAgainAt) return undefined;
  return Date.parse(j.readyAgainAt) - Date.parse(j.scaledDownAt);
}
