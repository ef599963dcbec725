/**
 * The migration journal: everything a new run on any machine needs to resume or undo a migration.
 * It lives in the cluster (a ConfigMap beside the workload, see src/kube/journal-store.ts) and is
 * written before every mutation ("about to do X", then "did X"). Pure data and pure updates only.
 */
import type { MigrationPlan, WorkloadRef } from './types.js';

export const JOURNAL_VERSION = 1;
export const JOURNAL_KEY = 'journal.json';
export const LABEL_MIGRATION = 'kubesafe.dev/migration';
export const LABEL_WORKLOAD = 'kubesafe.dev/workload';
export const LABEL_ROLE = 'kubesafe.dev/role';
export const ANNOTATION_EXPIRES_AT = 'kubesafe.dev/expires-at';

/** Forward steps, in the safe order of DESIGN.md. */
export const FORWARD_STEPS = [
  'retain',
  'scale-down',
  'snapshot',
  'stage',
  'swap',
  'scale-up',
  'verify',
  'finalize',
] as const;
export type ForwardStep = (typeof FORWARD_STEPS)[number];

/** Rollback steps, in the order they run. */
export const ROLLBACK_STEPS = [
  'rollback-scale-down',
  'rollback-claims',
  'rollback-staging',
  'rollback-scale-up',
  'rollback-verify',
  'rollback-reclaim',
] as const;
export type RollbackStep = (typeof ROLLBACK_STEPS)[number];
export type StepName = ForwardStep | RollbackStep;

export type StepState = 'pending' | 'started' | 'done';

export interface StepRecord {
  state: StepState;
  startedAt?: string;
  finishedAt?: string;
  /** How many times the step was started (a resume after a kill starts it again). */
  attempts: number;
  detail?: string;
}

export type JournalStatus = 'open' | 'migrated' | 'rolled-back' | 'failed';

export interface JournalVolume {
  ordinal: number;
  /** The PVC name the StatefulSet uses; unchanged by the migration. */
  pvc: string;
  moves: boolean;
  sourceZone: string;
  targetZone: string;
  sizeBytes: number;
  driver: string;
  snapshotClass: string;
  sourcePv: string;
  sourcePvUid: string;
  sourcePvcUid: string;
  /** The source PV's reclaim policy before the migration set it to Retain. */
  sourceReclaimPolicy: string;
  storageClass: string;
  accessModes: string[];
  volumeMode: string;
  /** The original PVC's storage request, e.g. "1Gi". */
  request: string;
  pvcLabels: Record<string, string>;
  /** Deterministic names, so that a re-run finds what an earlier run created. */
  snapshotName: string;
  stagingPvc: string;
  snapshotUid?: string;
  restoreSize?: string;
  snapshotHandle?: string;
  snapshotContent?: string;
  stagingPvcUid?: string;
  /** Only for Immediate classes: a copy of the class restricted to the target zone. */
  zonalStorageClass?: string;
  newPv?: string;
  newPvUid?: string;
  newPvZone?: string;
  newPvcUid?: string;
  /** The reclaim policy of the class, restored on the new PV at finalize. */
  classReclaimPolicy?: string;
  swapped?: boolean;
  /** The source PV and its disk were deleted at finalize (delete-source-volumes). */
  sourceDeleted?: boolean;
}

export interface JournalRollback {
  reason: string;
  failedStep: StepName | 'precheck' | 'unknown';
  startedAt: string;
  /** What the rollback undid, one line per action; the report lists these. */
  undone: string[];
  /** Objects kept on purpose (e.g. new volumes the workload wrote to). */
  kept: string[];
}

export interface Journal {
  version: number;
  runId: string;
  /** The process that owns the journal now; a resume takes ownership. */
  writer: string;
  createdAt: string;
  updatedAt: string;
  workload: WorkloadRef & { uid: string };
  zoneKey: string;
  targetZones: string[];
  originalReplicas: number;
  status: JournalStatus;
  direction: 'forward' | 'rollback';
  deleteSourceVolumes: boolean;
  /** Milliseconds; -1 keeps snapshots forever. */
  snapshotRetentionMs: number;
  volumes: JournalVolume[];
  steps: Record<StepName, StepRecord>;
  rollback?: JournalRollback;
  /** verify-command output per pod, captured before the scale-down. */
  verifyBefore?: Record<string, string>;
  scaledDownAt?: string;
  readyAgainAt?: string;
  finalError?: string;
}

export function journalName(workload: string): string {
  return `kubesafe-migration-${workload}`.slice(0, 253);
}

/** Names stay within the 63-character label-value limit that some controllers copy them into. */
function shortName(base: string, suffix: string): string {
  const room = 63 - suffix.length - 1;
  return `${base.slice(0, room).replace(/[-.]+$/, '')}-${suffix}`;
}

export function snapshotNameFor(pvc: string, runId: string): string {
  return shortName(pvc, `ks-${runId}`);
}

export function stagingPvcNameFor(pvc: string, runId: string): string {
  return shortName(pvc, `ks-stage-${runId}`);
}

export function zonalClassNameFor(storageClass: string, zone: string): string {
  return shortName(`${storageClass}-${zone}`, 'kubesafe');
}

function emptySteps(): Record<StepName, StepRecord> {
  const steps = {} as Record<StepName, StepRecord>;
  for (const s of [...FORWARD_STEPS, ...ROLLBACK_STEPS]) steps[s] = { state: 'pending', attempts: 0 };
  return steps;
}

/** What the run learned about each planned volume before the first mutation. */
export type VolumeFacts = Pick<
  JournalVolume,
  | 'pvc'
  | 'sourcePvUid'
  | 'sourcePvcUid'
  | 'sourceReclaimPolicy'
  | 'storageClass'
  | 'accessModes'
  | 'volumeMode'
  | 'request'
  | 'pvcLabels'
>;

export interface NewJournalInput {
  runId: string;
  writer: string;
  now: string;
  plan: MigrationPlan;
  workloadUid: string;
  targetZones: string[];
  facts: VolumeFacts[];
  deleteSourceVolumes: boolean;
  snapshotRetentionMs: number;
}

/** The journal of a migration that has not changed anything yet. */
export function newJournal(input: NewJournalInput): Journal {
  const byPvc = new Map(input.facts.map((f) => [f.pvc, f]));
  const volumes = input.plan.volumes.map((v): JournalVolume => {
    const f = byPvc.get(v.pvc);
    if (!f) throw new Error(`no facts for PVC ${v.pvc}`);
    return {
      ordinal: v.ordinal,
      pvc: v.pvc,
      moves: v.moves,
      sourceZone: v.sourceZone,
      targetZone: v.targetZone,
      sizeBytes: v.sizeBytes,
      driver: v.driver,
      snapshotClass: v.snapshotClass,
      sourcePv: v.pv,
      sourcePvUid: f.sourcePvUid,
      sourcePvcUid: f.sourcePvcUid,
      sourceReclaimPolicy: f.sourceReclaimPolicy,
      storageClass: f.storageClass,
      accessModes: f.accessModes,
      volumeMode: f.volumeMode,
      request: f.request,
      pvcLabels: f.pvcLabels,
      snapshotName: snapshotNameFor(v.pvc, input.runId),
      stagingPvc: stagingPvcNameFor(v.pvc, input.runId),
    };
  });
  return {
    version: JOURNAL_VERSION,
    runId: input.runId,
    writer: input.writer,
    createdAt: input.now,
    updatedAt: input.now,
    workload: { ...input.plan.workload, uid: input.workloadUid },
    zoneKey: input.plan.zoneKey,
    targetZones: input.targetZones,
    originalReplicas: input.plan.replicas,
    status: 'open',
    direction: 'forward',
    deleteSourceVolumes: input.deleteSourceVolumes,
    snapshotRetentionMs: input.snapshotRetentionMs,
    volumes,
    steps: emptySteps(),
  };
}

export function movingVolumes(j: Journal): JournalVolume[] {
  return j.volumes.filter((v) => v.moves);
}

/** A copy with one step marked started (write-ahead) or done. */
export function markStep(
  j: Journal,
  step: StepName,
  state: StepState,
  now: string,
  detail?: string,
): Journal {
  const prev = j.steps[step];
  const rec: StepRecord = { ...prev, state };
  if (state === 'started') {
    rec.attempts = prev.attempts + 1;
    rec.startedAt = prev.startedAt ?? now;
    delete rec.finishedAt;
  }
  if (state === 'done') rec.finishedAt = now;
  if (detail !== undefined) rec.detail = detail;
  return { ...j, updatedAt: now, steps: { ...j.steps, [step]: rec } };
}

export function updateVolume(j: Journal, pvc: string, patch: Partial<JournalVolume>, now: string): Journal {
  return { ...j, updatedAt: now, volumes: j.volumes.map((v) => (v.pvc === pvc ? { ...v, ...patch } : v)) };
}

export function serializeJournal(j: Journal): string {
  return JSON.stringify(j, null, 2);
}

/** Parses a stored journal; a journal of an unknown version is refused rather than guessed at. */
export function parseJournal(text: string): Journal {
  const j = JSON.parse(text) as Journal;
  if (j.version !== JOURNAL_VERSION)
    throw new Error(`journal version ${String(j.version)} is not supported (expected ${JOURNAL_VERSION})`);
  if (!j.workload?.name || !Array.isArray(j.volumes) || !j.steps) throw new Error('journal is incomplete');
  return j;
}
