/**
 * Carries out a migration from its journal: the forward steps in the safe order, an automatic
 * rollback on any failure before verification passed, and resume/rollback of an interrupted run.
 * Every step is journaled before it acts (write-ahead) and converges when re-run after a kill.
 */
import { randomBytes } from 'node:crypto';
import { errorMessage, KubesafeError, PreconditionFailed } from '../errors.js';
import type { Reporter } from '../report.js';
import type { MigrationClients } from '../kube/clients.js';
import type { PodExec } from '../kube/exec.js';
import { JournalConflict, JournalStore } from '../kube/journal-store.js';
import { readPv, readPvc, recordEvent } from '../kube/mutate.js';
import { readWorkload } from '../kube/scale.js';
import { podSelector } from '../kube/scale.js';
import { workloadPods } from '../kube/observe.js';
import {
  markStep,
  movingVolumes,
  newJournal,
  type ForwardStep,
  type Journal,
  type RollbackStep,
  type StepName,
  type VolumeFacts,
} from './journal.js';
import type { MigrateSettings } from './settings-migrate.js';
import {
  beginRollback,
  closeJournal,
  currentForwardStep,
  failureRollsBack,
  nextAction,
  rollbackBlocker,
} from './state-machine.js';
import type { MigrationPlan, PrecheckResult, PrecheckSettings } from './types.js';
import { FORWARD_HANDLERS, runPipeline } from './steps.js';
import { isPipelineStep, type PipelineStep } from './pipeline.js';
import { ROLLBACK_HANDLERS } from './rollback.js';

/** The precheck, injected (src/migration/precheck.ts in production, a plan builder in tests). */
export type Precheck = (settings: PrecheckSettings) => Promise<PrecheckResult>;

export interface MigrationDeps {
  clients: MigrationClients;
  precheck: Precheck;
  exec: PodExec;
  reporter: Reporter;
  /**
   * Called after each journal write that opens or closes a step (state `started`/`done`), and at the
   * riskiest instant inside the swap (`original-deleted`: a PVC name has no claim). Test-only use:
   * the KUBESAFE_TEST_KILL_AFTER_STEP knob (see zone-migrate.ts) kills the process here.
   */
  onBoundary?: (step: StepName, state: string) => void;
}

export type MigrationResult = 'migrated' | 'rolled-back' | 'failed' | 'planned';

export interface MigrationOutcome {
  result: MigrationResult;
  plan?: MigrationPlan;
  precheck?: PrecheckResult;
  journal?: Journal;
  /** What failed, when something did. */
  error?: string;
  /** API requests made by this run. */
  apiRequests: number;
}

/** Thrown by a step: the migration cannot go on, and a rollback follows. */
export class StepFailed extends KubesafeError {}

/** A volume failed in one of the pipeline's steps; the message is the cause's. */
export class VolumeStepFailed extends KubesafeError {
  constructor(
    readonly step: PipelineStep,
    readonly pvc: string,
    cause: unknown,
  ) {
    super(errorMessage(cause), { cause });
  }
}

/** What every step handler gets: the live journal, its writer, the settings and the clients. */
export class MigrationRun {
  private pending: {
    change: (j: Journal) => Journal;
    resolve: () => void;
    reject: (err: unknown) => void;
  }[] = [];
  private flushing = false;

  constructor(
    public journal: Journal,
    readonly store: JournalStore,
    readonly settings: MigrateSettings,
    readonly deps: MigrationDeps,
  ) {}

  get c(): MigrationClients {
    return this.deps.clients;
  }
  get reporter(): Reporter {
    return this.deps.reporter;
  }
  now(): string {
    return new Date().toISOString();
  }

  /**
   * Applies a change to the journal and stores it; resolves once it is stored. Writes are
   * serialised, and changes that arrive while one is in flight (parallel volumes) go out together
   * in the next write, so 32 volumes do not queue 32 writes.
   */
  commit(change: (j: Journal) => Journal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ change, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        const updated = batch.reduce((j, p) => p.change(j), this.journal);
        await this.store.write(updated);
        this.journal = updated;
        batch.forEach((p) => p.resolve());
      } catch (err) {
        batch.forEach((p) => p.reject(err));
      }
    }
    this.flushing = false;
  }

  private readonly inFlightEvents = new Set<Promise<void>>();

  /**
   * Records a Kubernetes Event on the workload. Step events go out in the background (they are for
   * people watching; the journal is the record, and a step need not wait for them); flushEvents
   * waits for those still in flight before the run reports back.
   */
  event(type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const p: Promise<void> = recordEvent(this.c, { ...this.journal.workload }, type, reason, message).finally(
      () => this.inFlightEvents.delete(p),
    );
    this.inFlightEvents.add(p);
    return p;
  }

  async flushEvents(): Promise<void> {
    await Promise.all([...this.inFlightEvents]);
  }

  /** Opens a step: journal "started" (write-ahead: before the step acts), then its event. */
  async openStep(name: StepName): Promise<void> {
    await this.commit((j) => markStep(j, name, 'started', this.now()));
    this.deps.onBoundary?.(name, 'started');
    void this.event('Normal', 'MigrationStep', `${name}: started (run ${this.journal.runId})`);
  }

  /** Closes a step: journal "done" with its detail, then its event. */
  async closeStep(name: StepName, startedMs: number, detail?: string): Promise<void> {
    await this.commit((j) => markStep(j, name, 'done', this.now(), detail));
    this.reporter.info(
      `${name}: done in ${((Date.now() - startedMs) / 1000).toFixed(1)} s${detail ? ` (${detail})` : ''}`,
    );
    void this.event('Normal', 'MigrationStep', `${name}: done${detail ? `: ${detail}` : ''}`);
    this.deps.onBoundary?.(name, 'done');
  }

  /** Runs one step: journal "started", do it, journal "done". */
  async step(name: StepName, fn: () => Promise<string | undefined>): Promise<void> {
    await this.openStep(name);
    const t0 = Date.now();
    const detail = await this.reporter.group(`${name}`, async () => (await fn()) ?? undefined);
    await this.closeStep(name, t0, detail);
  }
}

export type ForwardHandler = (run: MigrationRun) => Promise<string | undefined>;
export type RollbackHandler = (run: MigrationRun) => Promise<string | undefined>;

function randomId(): string {
  return randomBytes(4).toString('hex').slice(0, 6);
}

/** Reads what the journal must remember about each planned volume, before anything changes. */
async function volumeFacts(c: MigrationClients, plan: MigrationPlan): Promise<VolumeFacts[]> {
  return Promise.all(
    plan.volumes.map(async (v): Promise<VolumeFacts> => {
      const pvc = await readPvc(c, plan.workload.namespace, v.pvc);
      const pv = await readPv(c, v.pv);
      if (!pvc || !pv)
        throw new PreconditionFailed(`PVC ${v.pvc} or PV ${v.pv} disappeared since the precheck`);
      if (pvc.spec?.volumeName !== v.pv)
        throw new PreconditionFailed(
          `PVC ${v.pvc} is bound to ${pvc.spec?.volumeName}, the plan says ${v.pv}`,
        );
      return {
        pvc: v.pvc,
        sourcePvUid: pv.metadata!.uid!,
        sourcePvcUid: pvc.metadata!.uid!,
        sourceReclaimPolicy: pv.spec?.persistentVolumeReclaimPolicy ?? 'Delete',
        storageClass: pvc.spec?.storageClassName ?? '',
        accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
        volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
        request: String(pvc.spec?.resources?.requests?.storage ?? pv.spec?.capacity?.storage ?? ''),
        pvcLabels: pvc.metadata?.labels ?? {},
      };
    }),
  );
}

/** Runs verify-command in every pod of the workload; pod name -> stdout. */
export async function captureVerifyOutputs(
  c: MigrationClients,
  j: Journal,
  settings: MigrateSettings,
  exec: PodExec,
): Promise<Record<string, string>> {
  if (!settings.verifyCommand) return {};
  const sts = await readWorkload(c, j.workload);
  const pods = await workloadPods(c, j, podSelector(sts));
  const out: Record<string, string> = {};
  await Promise.all(
    pods.map(async (p) => {
      const container = p.spec?.containers?.[0]?.name ?? '';
      out[p.metadata!.name!] = await exec(
        j.workload.namespace,
        p.metadata!.name!,
        container,
        settings.verifyCommand!,
      );
    }),
  );
  return out;
}

async function runForward(run: MigrationRun): Promise<MigrationResult> {
  for (let a = nextAction(run.journal); a.kind === 'forward'; a = nextAction(run.journal)) {
    let step: ForwardStep = a.step;
    try {
      if (isPipelineStep(step)) await runPipeline(run);
      else {
        const handler = FORWARD_HANDLERS[step];
        await run.step(step, () => handler(run));
      }
    } catch (err) {
      if (err instanceof JournalConflict) throw err;
      if (err instanceof VolumeStepFailed) step = err.step;
      const message = `${step}: ${errorMessage(err)}`;
      run.reporter.warn(`step ${message}`);
      await run.event('Warning', 'MigrationStepFailed', message);
      if (!failureRollsBack(run.journal)) {
        run.journal = { ...run.journal, finalError: message };
        await run.commit((j) => ({ ...j, finalError: message }));
        return 'failed';
      }
      const failed = err instanceof VolumeStepFailed ? step : (currentForwardStep(run.journal) ?? step);
      await run.commit((j) => beginRollback(j, message, failed, run.now()));
      run.reporter.warn(`rolling back: ${message}`);
      return runRollback(run);
    }
  }
  await run.commit((j) => closeJournal(j, 'migrated', run.now()));
  await run.event('Normal', 'MigrationSucceeded', `migrated to ${run.journal.targetZones.join(', ')}`);
  return 'migrated';
}

async function runRollback(run: MigrationRun): Promise<MigrationResult> {
  for (let a = nextAction(run.journal); a.kind === 'rollback'; a = nextAction(run.journal)) {
    const step: RollbackStep = a.step;
    try {
      await run.step(step, () => ROLLBACK_HANDLERS[step](run));
    } catch (err) {
      if (err instanceof JournalConflict) throw err;
      const message = `${step}: ${errorMessage(err)}`;
      run.reporter.warn(`rollback step ${message}; the journal stays open: run again with mode: rollback`);
      await run.event('Warning', 'MigrationRollbackFailed', message);
      await run.commit((j) => ({ ...j, finalError: message }));
      return 'failed';
    }
  }
  await run.commit((j) => closeJournal(j, 'rolled-back', run.now()));
  await run.event('Normal', 'MigrationRolledBack', `rolled back: ${run.journal.rollback?.reason ?? ''}`);
  return 'rolled-back';
}

/** The whole operation for one StatefulSet, in the mode the settings say. */
export async function migrate(settings: MigrateSettings, deps: MigrationDeps): Promise<MigrationOutcome> {
  const { clients: c, reporter } = deps;
  const w = settings.precheck.workload;
  const store = new JournalStore(c, w.namespace, w.name);
  const writer = `${process.env.GITHUB_RUN_ID ?? 'local'}-${randomId()}`;
  const outcome = (result: MigrationResult, extra: Partial<MigrationOutcome> = {}): MigrationOutcome => ({
    result,
    apiRequests: c.kc.requests,
    ...extra,
  });

  if (settings.mode !== 'run') {
    const existing = await store.read();
    if (!existing || existing.status !== 'open') {
      throw new PreconditionFailed(
        `mode: ${settings.mode}: no open migration journal for ${w.namespace}/${w.name} (ConfigMap ${store.name} ${existing ? `is closed: ${existing.status}` : 'does not exist'})`,
      );
    }
    if (settings.dryRun) return outcome('planned', { journal: existing });
    let j: Journal = { ...existing, writer };
    if (settings.mode === 'rollback') {
      const blocker = rollbackBlocker(j);
      if (blocker) throw new PreconditionFailed(`mode: rollback refused: ${blocker}`);
      j = beginRollback(
        j,
        'requested with mode: rollback',
        currentForwardStep(j) ?? 'unknown',
        new Date().toISOString(),
      );
    }
    // Taking ownership is a resourceVersion-checked write: a run still alive elsewhere loses.
    await store.write(j);
    const run = new MigrationRun(j, store, settings, deps);
    reporter.info(
      `${settings.mode}: journal of run ${j.runId}, ${j.direction}, next: ${JSON.stringify(nextAction(j))}`,
    );
    const result = await (j.direction === 'rollback' ? runRollback(run) : runForward(run)).finally(() =>
      run.flushEvents(),
    );
    return outcome(result, {
      journal: run.journal,
      error: run.journal.rollback?.reason ?? run.journal.finalError,
    });
  }

  const precheck = await reporter.group('precheck', () => deps.precheck(settings.precheck));
  if (precheck.verdict !== 'pass') {
    throw new PreconditionFailed(
      `precheck failed; nothing was changed:\n${precheck.failures.map((f) => `- ${f.check}: ${f.reason}`).join('\n')}`,
    );
  }
  const plan = precheck.plan;
  const existing = await store.read();
  if (existing?.status === 'open') {
    throw new PreconditionFailed(
      `a migration of ${w.namespace}/${w.name} is already open (journal ConfigMap ${store.name}, run ${existing.runId}); continue it with mode: resume or undo it with mode: rollback`,
    );
  }
  if (settings.dryRun) return outcome('planned', { plan, precheck });
  if (!plan.volumes.some((v) => v.moves)) {
    reporter.info('every volume is already in a target zone: nothing to move');
    return outcome('migrated', { plan, precheck });
  }

  const sts = await readWorkload(c, w);
  const facts = await volumeFacts(c, plan);
  let j = newJournal({
    runId: randomId(),
    writer,
    now: new Date().toISOString(),
    plan,
    workloadUid: sts.metadata!.uid!,
    targetZones: settings.precheck.targetZones,
    facts,
    deleteSourceVolumes: settings.deleteSourceVolumes,
    snapshotRetentionMs: settings.snapshotRetentionMs,
  });
  if (settings.verifyCommand) {
    j = {
      ...j,
      verifyBefore: await reporter.group('verify-command (before)', () =>
        captureVerifyOutputs(c, j, settings, deps.exec),
      ),
    };
  }
  await store.open(j);
  reporter.info(
    `journal ${store.name} opened (run ${j.runId}); ${movingVolumes(j).length} of ${j.volumes.length} volumes move`,
  );
  const run = new MigrationRun(j, store, settings, deps);
  await run.event(
    'Normal',
    'MigrationStarted',
    `run ${j.runId}: ${movingVolumes(j).length} volumes to ${j.targetZones.join(', ')}`,
  );
  const result = await runForward(run).finally(() => run.flushEvents());
  return outcome(result, {
    plan,
    precheck,
    journal: run.journal,
    error: run.journal.rollback?.reason ?? run.journal.finalError,
  });
}
