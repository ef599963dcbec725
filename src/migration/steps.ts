/** The forward steps of DESIGN.md's safe migration order; each converges when re-run. */
import { Cancelled, TimeoutError } from '../errors.js';
import { parseQuantity } from './quantity.js';
import { StepFailed, VolumeStepFailed, type ForwardHandler, type MigrationRun } from './execute.js';
import { JournalConflict } from '../kube/journal-store.js';
import {
  pendingPipelineSteps,
  PipelineProgress,
  PIPELINE_STEPS,
  pvBoundToClaim,
  provisionedFor,
  provisionerAnnotation,
  volumeSteps,
  type PipelineStep,
} from './pipeline.js';
import {
  ANNOTATION_EXPIRES_AT,
  LABEL_MIGRATION,
  LABEL_ROLE,
  LABEL_WORKLOAD,
  movingVolumes,
  updateVolume,
  zonalClassNameFor,
  type ForwardStep,
  type JournalVolume,
} from './journal.js';
import {
  assessHealth,
  FailureCounter,
  podsLookReady,
  podsSignature,
  restartCounts,
  verifyOutputDifferences,
  type PodHealthView,
} from './verify.js';
import { scaleUpBlockers } from './state-machine.js';
import { captureVerifyOutputs } from './execute.js';
import {
  createPvcIfAbsent,
  createSnapshotIfAbsent,
  createZonalClassIfAbsent,
  deletePvcByUid,
  deleteStorageClass,
  patchPvc,
  patchSnapshot,
  bindClaimRef,
  readPv,
  readPvc,
  readSnapshot,
  readSnapshotContent,
  readStorageClass,
  schedulableNodesInZone,
  setReclaimPolicy,
  type VolumeSnapshot,
} from '../kube/mutate.js';
import { podSelector, readWorkload, scaleWorkload } from '../kube/scale.js';
import { waitFor } from '../kube/wait.js';
import { claimBindings, observe, ownedBy, podHealthView, pvZone, ZONE_LABEL } from '../kube/observe.js';
import type { k8s } from '../kube/client.js';

/**
 * How long a claim may wait for the PV controller before it is nudged the first time; each further
 * nudge waits twice as long (up to BIND_NUDGE_MAX_MS), so that a controller that is only busy
 * (its single claim worker has a queue) is not handed more writes to work through.
 */
const BIND_NUDGE_MS = 1000;
const BIND_NUDGE_MAX_MS = 8000;
/** How long a claim may stay Pending once its PV shows it is bound to it, before it is nudged. */
const BIND_RACE_GRACE_MS = 200;

function labels(run: MigrationRun, role: string): Record<string, string> {
  return {
    [LABEL_MIGRATION]: run.journal.runId,
    [LABEL_WORKLOAD]: run.journal.workload.name,
    [LABEL_ROLE]: role,
  };
}

/** Runs `fn` for every moving volume in parallel, reporting per-volume progress. */
async function eachVolume(
  run: MigrationRun,
  what: string,
  fn: (v: JournalVolume) => Promise<string | undefined>,
): Promise<void> {
  const vols = movingVolumes(run.journal);
  let finished = 0;
  await Promise.all(
    vols.map(async (v) => {
      const note = await fn(v);
      finished++;
      run.reporter.info(`  ${v.pvc}: ${what}${note ? ` (${note})` : ''} [${finished}/${vols.length}]`);
    }),
  );
}

function volume(run: MigrationRun, pvc: string): JournalVolume {
  return run.journal.volumes.find((v) => v.pvc === pvc)!;
}

function record(run: MigrationRun, pvc: string, patch: Partial<JournalVolume>): Promise<void> {
  return run.commit((j) => updateVolume(j, pvc, patch, run.now()));
}

const retain: ForwardHandler = async (run) => {
  await eachVolume(run, 'source PV set to Retain', async (v) => {
    const pv = await readPv(run.c, v.sourcePv);
    if (pv?.metadata?.uid !== v.sourcePvUid)
      throw new StepFailed(`PV ${v.sourcePv} is not the one journaled (uid ${v.sourcePvUid})`);
    await setReclaimPolicy(run.c, v.sourcePv, 'Retain');
  });
};

/** Waits until no pod of the workload exists and no VolumeAttachment names one of its moving volumes. */
export async function waitScaledDown(run: MigrationRun, pvNames: string[]): Promise<void> {
  const j = run.journal;
  const sts = await readWorkload(run.c, j.workload);
  const t = run.settings.stepTimeoutMs;
  await waitFor(
    run.c,
    { apiVersion: 'v1', kind: 'Pod', namespace: j.workload.namespace, labelSelector: podSelector(sts) },
    `the pods of ${j.workload.name} to go`,
    t,
    (objs) => {
      const left = objs.filter((o) => ownedBy(o, j.workload.uid));
      return left.length === 0
        ? { done: true, value: undefined }
        : { done: false, why: `${left.length} pods left: ${left.map((o) => o.metadata?.name).join(', ')}` };
    },
  );
  const names = new Set(pvNames);
  await waitFor(
    run.c,
    { apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment' },
    'the volumes to be detached',
    t,
    (objs) => {
      const attached = objs.filter((o) =>
        names.has((o as k8s.V1VolumeAttachment).spec?.source?.persistentVolumeName ?? ''),
      );
      return attached.length === 0
        ? { done: true, value: undefined }
        : { done: false, why: `still attached: ${attached.map((o) => o.metadata?.name).join(', ')}` };
    },
  );
}

const scaleDown: ForwardHandler = async (run) => {
  if (!run.journal.scaledDownAt) await run.commit((j) => ({ ...j, scaledDownAt: run.now() }));
  await scaleWorkload(run.c, run.journal.workload, 0);
  await waitScaledDown(
    run,
    movingVolumes(run.journal).map((v) => v.sourcePv),
  );
  return `0 of ${run.journal.originalReplicas} replicas`;
};

/** What the volumes of one pipeline run share: reads that do not change during it, and the stop signal. */
interface PipelineContext {
  /** Aborted when a volume failed: the others stop before their next change. */
  signal: AbortSignal;
  storageClass(name: string): Promise<k8s.V1StorageClass | undefined>;
  /** Ready, schedulable nodes of a zone (by the journal's zone key, then by the well-known label). */
  nodesInZone(zone: string): Promise<string[]>;
  /** Creates the zone-restricted copy of a class once, however many volumes need it. */
  zonalClass(source: k8s.V1StorageClass, name: string, zone: string): Promise<void>;
}

/** One read or create per key for the whole pipeline; a failed one is tried again by the next caller. */
function once<T>(fn: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (key) => {
    let p = cache.get(key);
    if (!p) {
      p = fn(key);
      cache.set(key, p);
      p.catch(() => cache.delete(key));
    }
    return p;
  };
}

function pipelineContext(run: MigrationRun, signal: AbortSignal): PipelineContext {
  const j = run.journal;
  const classes = once((name) => readStorageClass(run.c, name));
  const nodes = once(async (zone) =>
    (await schedulableNodesInZone(run.c, j.zoneKey, zone)).concat(
      j.zoneKey === ZONE_LABEL ? [] : await schedulableNodesInZone(run.c, ZONE_LABEL, zone),
    ),
  );
  const zonal = new Map<string, Promise<void>>();
  return {
    signal,
    storageClass: classes,
    nodesInZone: nodes,
    zonalClass: (source, name, zone) => {
      let p = zonal.get(name);
      if (!p) {
        p = createZonalClassIfAbsent(run.c, source, name, j.zoneKey, zone, labels(run, 'zonal-class'));
        zonal.set(name, p);
        p.catch(() => zonal.delete(name));
      }
      return p;
    },
  };
}

/** Before each change: stop when another volume failed (its rollback must not race this volume). */
function checkpoint(ctx: PipelineContext): void {
  if (ctx.signal.aborted) throw new Cancelled('stopped before the next change: another volume failed');
}

type VolumeStep = (run: MigrationRun, pvc: string, ctx: PipelineContext) => Promise<string | undefined>;

const snapshotVolume: VolumeStep = async (run, pvc, ctx) => {
  const ns = run.journal.workload.namespace;
  const v = volume(run, pvc);
  checkpoint(ctx);
  await createSnapshotIfAbsent(run.c, {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    metadata: { name: v.snapshotName, namespace: ns, labels: labels(run, 'snapshot') },
    spec: { source: { persistentVolumeClaimName: v.pvc }, volumeSnapshotClassName: v.snapshotClass },
  } as VolumeSnapshot);
  const ready = await waitFor(
    run.c,
    {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      namespace: ns,
      fieldSelector: `metadata.name=${v.snapshotName}`,
    },
    `VolumeSnapshot ${v.snapshotName} to be readyToUse`,
    run.settings.stepTimeoutMs,
    (objs) => {
      const s = objs[0] as VolumeSnapshot | undefined;
      if (s?.status?.error?.message)
        throw new StepFailed(`VolumeSnapshot ${v.snapshotName} failed: ${s.status.error.message}`);
      return s?.status?.readyToUse
        ? { done: true, value: s }
        : { done: false, why: s ? 'not readyToUse yet' : 'not created yet' };
    },
    ctx.signal,
  );
  const contentName = ready.status?.boundVolumeSnapshotContentName;
  const content = contentName ? await readSnapshotContent(run.c, contentName) : undefined;
  await record(run, v.pvc, {
    snapshotUid: ready.metadata?.uid,
    restoreSize: ready.status?.restoreSize,
    snapshotContent: contentName,
    snapshotHandle: content?.status?.snapshotHandle,
  });
  return `restoreSize ${ready.status?.restoreSize ?? '?'}`;
};

/** The larger of two quantities such as "1Gi" and "1073741824". */
function largerQuantity(a: string, b: string | undefined): string {
  if (!b) return a;
  return (parseQuantity(b) ?? NaN) > (parseQuantity(a) ?? NaN) ? b : a;
}

const stageVolume: VolumeStep = async (run, pvc, ctx) => {
  const j = run.journal;
  const ns = j.workload.namespace;
  const v = volume(run, pvc);
  const sc = await ctx.storageClass(v.storageClass);
  if (!sc)
    throw new StepFailed(`StorageClass ${JSON.stringify(v.storageClass)} of PVC ${v.pvc} does not exist`);
  const annotations: Record<string, string> = { ...provisionerAnnotation(sc) };
  let className = v.storageClass;
  if (sc.volumeBindingMode === 'WaitForFirstConsumer') {
    const nodes = await ctx.nodesInZone(v.targetZone);
    if (nodes.length === 0)
      throw new StepFailed(
        `zone ${v.targetZone} has no Ready, schedulable node to pin ${v.pvc}'s staging volume to`,
      );
    annotations['volume.kubernetes.io/selected-node'] = nodes[v.ordinal % nodes.length]!;
  } else {
    className = zonalClassNameFor(v.storageClass, v.targetZone);
    checkpoint(ctx);
    await ctx.zonalClass(sc, className, v.targetZone);
    if (v.zonalStorageClass !== className) await record(run, v.pvc, { zonalStorageClass: className });
  }
  checkpoint(ctx);
  const created = await createPvcIfAbsent(run.c, {
    metadata: { name: v.stagingPvc, namespace: ns, labels: labels(run, 'staging'), annotations },
    spec: {
      storageClassName: className,
      accessModes: v.accessModes,
      volumeMode: v.volumeMode,
      resources: { requests: { storage: largerQuantity(v.request, v.restoreSize) } },
      dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: v.snapshotName },
    },
  });
  // Its UID is journaled with the new volume below: until then a re-run finds the claim by name.
  const uid = created.metadata!.uid!;
  // The stage is done once the provisioner has created the volume for this claim (a PV whose
  // claimRef names the claim and its UID): the volume exists with the snapshot's data then, and the
  // claim's side of the binding is bookkeeping the swap replaces anyway. Waiting for the claim to be
  // Bound as well would queue every staging claim on the PV controller's single claim worker first.
  const pv = await waitFor(
    run.c,
    { apiVersion: 'v1', kind: 'PersistentVolume' },
    `a volume to be provisioned for staging PVC ${v.stagingPvc}`,
    run.settings.stepTimeoutMs,
    (objs) => {
      const provisioned = (objs as k8s.V1PersistentVolume[]).find((o) =>
        provisionedFor(o, ns, v.stagingPvc, uid),
      );
      return provisioned
        ? { done: true, value: provisioned }
        : { done: false, why: 'no PV names the claim yet' };
    },
    ctx.signal,
  );
  const newPv = pv.metadata!.name!;
  const zone = pvZone(pv, j.zoneKey);
  await record(run, v.pvc, {
    stagingPvcUid: uid,
    newPv,
    newPvUid: pv.metadata?.uid,
    newPvZone: zone,
    classReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
  });
  if (zone !== v.targetZone)
    throw new StepFailed(
      `the new volume ${newPv} for ${v.pvc} is in zone ${zone ?? 'unknown'}, not ${v.targetZone}`,
    );
  return `${newPv} in ${zone}`;
};

/** Waits until no PVC of this name has this UID. */
async function waitClaimGone(
  run: MigrationRun,
  name: string,
  uid: string | undefined,
  signal?: AbortSignal,
): Promise<void> {
  if (!uid) return;
  await waitFor(
    run.c,
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      namespace: run.journal.workload.namespace,
      fieldSelector: `metadata.name=${name}`,
    },
    `PVC ${name} (uid ${uid}) to be deleted`,
    run.settings.stepTimeoutMs,
    (objs) =>
      objs.some((o) => o.metadata?.uid === uid)
        ? { done: false, why: 'still present' }
        : { done: true, value: undefined },
    signal,
  );
}

/**
 * Waits until the PVC of this name is Bound to this PV, nudging it (an annotation update, which
 * makes the PV controller sync it again) when the controller left it behind: BIND_RACE_GRACE_MS
 * after the PV shows it is bound to the claim while the claim stays Pending, and after
 * BIND_NUDGE_MS without progress (then twice as long each time). A claim is left behind when the
 * PV controller synced it before it saw the PV's claimRef naming it (recreateClaim creates the
 * claim first), or when its volume and claim workers both wrote the PV's status and the claim
 * worker lost with a conflict (seen with Kubernetes 1.35); either way the claim stays Pending
 * until it changes again or the resync (15 s by default) comes.
 */
export async function waitClaimBound(
  run: MigrationRun,
  name: string,
  pv: string,
  signal?: AbortSignal,
): Promise<string> {
  const ns = run.journal.workload.namespace;
  const deadline = Date.now() + run.settings.stepTimeoutMs;
  const stopPvWatch = new AbortController();
  let early: AbortController | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  void waitFor(
    run.c,
    { apiVersion: 'v1', kind: 'PersistentVolume', fieldSelector: `metadata.name=${pv}` },
    `PV ${pv} to be bound to claim ${name}`,
    run.settings.stepTimeoutMs,
    (objs) =>
      pvBoundToClaim(objs[0] as k8s.V1PersistentVolume | undefined, ns, name)
        ? { done: true, value: undefined }
        : { done: false, why: 'not bound to the claim yet' },
    signal ? AbortSignal.any([signal, stopPvWatch.signal]) : stopPvWatch.signal,
  )
    .then(() => {
      graceTimer = setTimeout(() => early?.abort(), BIND_RACE_GRACE_MS);
    })
    .catch(() => undefined);
  let patience = BIND_NUDGE_MS;
  try {
    for (;;) {
      const left = deadline - Date.now();
      early = new AbortController();
      try {
        return await waitFor(
          run.c,
          {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            namespace: ns,
            fieldSelector: `metadata.name=${name}`,
          },
          `PVC ${name} to be Bound to ${pv}`,
          Math.max(1, Math.min(patience, left)),
          (objs) => {
            const p = objs[0] as k8s.V1PersistentVolumeClaim | undefined;
            if (p?.spec?.volumeName && p.spec.volumeName !== pv)
              throw new StepFailed(`PVC ${name} names volume ${p.spec.volumeName}, expected ${pv}`);
            return p?.status?.phase === 'Bound'
              ? { done: true, value: p.metadata!.uid! }
              : { done: false, why: `phase ${p?.status?.phase ?? 'absent'}` };
          },
          signal ? AbortSignal.any([signal, early.signal]) : early.signal,
        );
      } catch (err) {
        const nudge =
          (err instanceof TimeoutError && Date.now() < deadline) ||
          (err instanceof Cancelled && !signal?.aborted && early.signal.aborted);
        if (!nudge) throw err;
        if (err instanceof TimeoutError) patience = Math.min(BIND_NUDGE_MAX_MS, patience * 2);
        await patchPvc(run.c, ns, name, {
          metadata: { annotations: { 'kubesafe.dev/bind-nudge': new Date().toISOString() } },
        });
      }
    }
  } finally {
    clearTimeout(graceTimer);
    stopPvWatch.abort();
  }
}

/**
 * The original-name PVC, re-created with the journaled spec and bound to `pv`: the claim is created
 * first with `volumeName` set, then the PV's claimRef is pointed at it with its UID (one write,
 * which leaves the PV controller only the claim's side of the binding: two writes of its single
 * claim worker instead of four). Converges when re-run: an existing claim of that name that already
 * names `pv` is taken as it is.
 */
export async function recreateClaim(
  run: MigrationRun,
  v: JournalVolume,
  pv: string,
  signal?: AbortSignal,
): Promise<string> {
  if (signal?.aborted) throw new Cancelled('stopped before re-creating a claim: another volume failed');
  const ns = run.journal.workload.namespace;
  const claim = await createPvcIfAbsent(run.c, {
    metadata: { name: v.pvc, namespace: ns, labels: v.pvcLabels },
    spec: {
      storageClassName: v.storageClass,
      accessModes: v.accessModes,
      volumeMode: v.volumeMode,
      resources: { requests: { storage: v.request } },
      volumeName: pv,
    },
  });
  if (claim.spec?.volumeName !== pv)
    throw new StepFailed(
      `PVC ${v.pvc} exists and names volume ${claim.spec?.volumeName || 'none'}, expected ${pv}`,
    );
  const current = await bindClaimRef(run.c, pv, ns, v.pvc, claim.metadata!.uid!, v.storageClass);
  if (current.spec?.claimRef?.uid !== claim.metadata!.uid)
    throw new StepFailed(`PV ${pv} did not take the claimRef of PVC ${v.pvc}`);
  return waitClaimBound(run, v.pvc, pv, signal);
}

const swapVolume: VolumeStep = async (run, pvc, ctx) => {
  const ns = run.journal.workload.namespace;
  const v = volume(run, pvc);
  const newPv = v.newPv!;
  const current = await readPvc(run.c, ns, v.pvc);
  if (current?.spec?.volumeName === newPv && current.status?.phase === 'Bound') {
    await record(run, v.pvc, { swapped: true, newPvcUid: current.metadata?.uid });
    return 'already swapped';
  }
  const t0 = Date.now();
  checkpoint(ctx);
  await setReclaimPolicy(run.c, newPv, 'Retain');
  checkpoint(ctx);
  // Both volumes are Retain now (the source since the retain step): deleting the claims keeps both.
  await Promise.all([
    v.stagingPvcUid ? deletePvcByUid(run.c, ns, v.stagingPvc, v.stagingPvcUid) : undefined,
    deletePvcByUid(run.c, ns, v.pvc, v.sourcePvcUid),
  ]);
  await Promise.all([
    waitClaimGone(run, v.stagingPvc, v.stagingPvcUid, ctx.signal),
    waitClaimGone(run, v.pvc, v.sourcePvcUid, ctx.signal),
  ]);
  run.deps.onBoundary?.('swap', 'original-deleted');
  const tGone = Date.now();
  checkpoint(ctx);
  const uid = await recreateClaim(run, v, newPv, ctx.signal);
  await record(run, v.pvc, { swapped: true, newPvcUid: uid });
  return `old claims gone after ${((tGone - t0) / 1000).toFixed(1)} s, bound ${((Date.now() - tGone) / 1000).toFixed(1)} s later`;
};

const VOLUME_STEPS: Record<PipelineStep, { run: VolumeStep; what: string }> = {
  snapshot: { run: snapshotVolume, what: 'snapshot ready' },
  stage: { run: stageVolume, what: 'staging volume provisioned in its target zone' },
  swap: { run: swapVolume, what: 'PVC name now bound to the new volume' },
};

/**
 * Snapshot, stage and swap, each volume on its own (src/migration/pipeline.ts): a volume whose
 * snapshot is ready is restored while others still wait for theirs, and is swapped once its copy
 * is bound, so the downtime grows with the slowest volume, not with the sum of each step's
 * slowest. Every step is journaled `started` before the first volume acts in it; on the first
 * failure the other volumes stop before their next change, and the error is thrown once all of
 * them have stopped, so that the rollback never runs beside a volume still moving.
 */
export async function runPipeline(run: MigrationRun): Promise<void> {
  const steps = pendingPipelineSteps(run.journal);
  const vols = movingVolumes(run.journal);
  const progress = new PipelineProgress(
    steps,
    vols.map((v) => v.pvc),
  );
  const stop = new AbortController();
  const ctx = pipelineContext(run, stop.signal);
  const opened = new Map<PipelineStep, Promise<void>>();
  const startedMs = new Map<PipelineStep, number>();
  const finished = new Map<PipelineStep, number>();
  const open = (s: PipelineStep): Promise<void> => {
    let p = opened.get(s);
    if (!p) {
      startedMs.set(s, Date.now());
      p = run.openStep(s);
      opened.set(s, p);
    }
    return p;
  };
  let closing: Promise<void> = Promise.resolve();
  let closeError: unknown;
  const close = (done: PipelineStep[]) => {
    for (const s of done) {
      closing = closing
        .then(async () => {
          if (closeError === undefined) {
            await open(s);
            await run.closeStep(s, startedMs.get(s)!);
          }
        })
        .catch((err: unknown) => {
          closeError ??= err;
          stop.abort();
        });
    }
  };
  let failure: unknown;
  const runVolume = async (v: JournalVolume): Promise<void> => {
    const mine = volumeSteps(v);
    const before = mine.length === 0 ? 'swap' : PIPELINE_STEPS[PIPELINE_STEPS.indexOf(mine[0]!) - 1];
    if (before) close(progress.pass(v.pvc, before));
    for (const s of mine) {
      checkpoint(ctx);
      if (steps.includes(s)) await open(s);
      let note: string | undefined;
      try {
        note = await VOLUME_STEPS[s].run(run, v.pvc, ctx);
      } catch (err) {
        throw err instanceof Cancelled || err instanceof JournalConflict
          ? err
          : new VolumeStepFailed(s, v.pvc, err);
      }
      const n = (finished.get(s) ?? 0) + 1;
      finished.set(s, n);
      run.reporter.info(
        `  ${v.pvc}: ${VOLUME_STEPS[s].what}${note ? ` (${note})` : ''} [${s} ${n}/${vols.length}]`,
      );
      close(progress.pass(v.pvc, s));
    }
  };
  await run.reporter.group(`${PIPELINE_STEPS.join(', ')} (each volume on its own)`, () =>
    Promise.all(
      vols.map((v) =>
        runVolume(v).catch((err: unknown) => {
          // A lost journal outranks any volume's failure: this run must stop writing at once.
          if (err instanceof JournalConflict || (failure === undefined && !(err instanceof Cancelled)))
            failure = err;
          stop.abort();
        }),
      ),
    ),
  );
  close(progress.flush());
  await closing;
  if (failure instanceof JournalConflict || closeError instanceof JournalConflict)
    throw failure instanceof JournalConflict ? failure : closeError;
  if (failure !== undefined) throw failure;
  if (closeError !== undefined) throw closeError;
  if (progress.open.length > 0)
    throw new StepFailed(`the pipeline ended with steps still open: ${progress.open.join(', ')}`);
}

const scaleUp: ForwardHandler = async (run) => {
  const blockers = scaleUpBlockers(run.journal, await claimBindings(run.c, run.journal));
  if (blockers.length > 0)
    throw new StepFailed(`not scaling up (a PVC name is not bound to its volume): ${blockers.join('; ')}`);
  await scaleWorkload(run.c, run.journal.workload, run.journal.originalReplicas);
  return `${run.journal.originalReplicas} replicas`;
};

/**
 * Waits (watching the pods) until the workload is healthy, for at most max-failed-checks check
 * intervals; records when it was ready again; then re-checks every interval through the health window.
 */
export async function verifyHealth(run: MigrationRun): Promise<string> {
  const j = run.journal;
  const s = run.settings;
  const sts = await readWorkload(run.c, j.workload);
  const selector = podSelector(sts);
  let last: string[] = [];
  const counter = new FailureCounter(s.maxFailedChecks);
  // Phase 1: until healthy. A pod change wakes the check early; only a check at each interval's end
  // counts as failed, so max-failed-checks intervals bound the wait.
  let nextTick = Date.now() + s.checkIntervalMs;
  for (;;) {
    const o = await observe(run.c, run.journal, selector);
    const a = assessHealth(run.journal, o);
    if (a.healthy) break;
    last = a.problems;
    if (Date.now() >= nextTick) {
      if (counter.record(false)) {
        throw new StepFailed(
          `not healthy after ${counter.count} checks ${s.checkIntervalMs / 1000} s apart: ${last.slice(0, 6).join('; ')}`,
        );
      }
      nextTick = Date.now() + s.checkIntervalMs;
    }
    await waitForReadyPods(run, selector, Math.max(50, nextTick - Date.now()), o.pods);
  }
  if (!run.journal.readyAgainAt) await run.commit((jj) => ({ ...jj, readyAgainAt: run.now() }));
  const baseline = restartCounts((await observe(run.c, run.journal, selector)).pods);
  // Phase 2: the health window, checked every interval; max-failed-checks failures in a row fail it.
  const windowEnd = Date.now() + s.healthWindowMs;
  const windowCounter = new FailureCounter(s.maxFailedChecks);
  do {
    if (s.healthWindowMs > 0) await sleep(Math.min(s.checkIntervalMs, Math.max(0, windowEnd - Date.now())));
    const a = assessHealth(run.journal, await observe(run.c, run.journal, selector), baseline);
    if (!a.healthy && (windowCounter.record(false) || a.problems.some((p) => p.includes('restarted')))) {
      throw new StepFailed(`health window: ${a.problems.slice(0, 6).join('; ')}`);
    }
    if (a.healthy) windowCounter.record(true);
  } while (Date.now() < windowEnd);
  // The outputs are compared after a migration; a rollback returns to the volumes they came from.
  if (run.settings.verifyCommand && run.journal.direction === 'forward') {
    const after = await captureVerifyOutputs(run.c, run.journal, run.settings, run.deps.exec);
    const diffs = verifyOutputDifferences(run.journal.verifyBefore ?? {}, after);
    if (diffs.length > 0) throw new StepFailed(`verify-command output differs: ${diffs.join('; ')}`);
  }
  return `${j.originalReplicas} pods Ready in their volumes' zones`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Resolves once the workload's pods differ from `seen` and look Ready (podsLookReady), or after
 * `ms`. Compared with what the last check saw, not with the first list here, so that a change in
 * between is not missed; pods still starting do not wake the check, so 32 pods turning Ready one
 * by one cost one check, not 32.
 */
async function waitForReadyPods(
  run: MigrationRun,
  selector: string,
  ms: number,
  seen: PodHealthView[],
): Promise<void> {
  const j = run.journal;
  const before = podsSignature(seen);
  await waitFor(
    run.c,
    { apiVersion: 'v1', kind: 'Pod', namespace: j.workload.namespace, labelSelector: selector },
    'the pods to change and look Ready',
    ms,
    (objs) => {
      const pods = objs.filter((o) => ownedBy(o, j.workload.uid)).map((o) => podHealthView(o as k8s.V1Pod));
      return podsSignature(pods) !== before && podsLookReady(j, pods)
        ? { done: true, value: undefined }
        : { done: false, why: 'waiting' };
    },
  ).catch((err: unknown) => {
    if (!(err instanceof TimeoutError)) throw err;
  });
}

const verify: ForwardHandler = (run) => verifyHealth(run);

const finalize: ForwardHandler = async (run) => {
  const j = run.journal;
  const kept: string[] = [];
  await eachVolume(run, 'finalized', async (v) => {
    if (v.newPv && v.classReclaimPolicy) await setReclaimPolicy(run.c, v.newPv, v.classReclaimPolicy);
    if (j.deleteSourceVolumes) {
      // Journaled first: from here on a rollback to this volume is impossible.
      if (!v.sourceDeleted) await record(run, v.pvc, { sourceDeleted: true });
      const pv = await readPv(run.c, v.sourcePv);
      if (pv && pv.metadata?.uid === v.sourcePvUid) {
        // Released and Delete: the provisioner deletes the disk, then the PV object.
        await setReclaimPolicy(run.c, v.sourcePv, 'Delete');
        await waitFor(
          run.c,
          { apiVersion: 'v1', kind: 'PersistentVolume', fieldSelector: `metadata.name=${v.sourcePv}` },
          `source PV ${v.sourcePv} and its disk to be deleted`,
          run.settings.stepTimeoutMs,
          (objs) =>
            objs.some((o) => o.metadata?.uid === v.sourcePvUid)
              ? { done: false, why: 'still present' }
              : { done: true, value: undefined },
        );
      }
    } else kept.push(v.sourcePv);
    const expires =
      j.snapshotRetentionMs < 0 ? 'never' : new Date(Date.now() + j.snapshotRetentionMs).toISOString();
    if (await readSnapshot(run.c, j.workload.namespace, v.snapshotName)) {
      await patchSnapshot(run.c, j.workload.namespace, v.snapshotName, {
        metadata: { annotations: { [ANNOTATION_EXPIRES_AT]: expires } },
      });
    }
    if (v.zonalStorageClass) await deleteStorageClass(run.c, v.zonalStorageClass);
    return j.deleteSourceVolumes ? 'source volume deleted' : 'source volume kept (Retain)';
  });
  return kept.length > 0 ? `source PVs kept with Retain: ${kept.join(', ')}` : 'source PVs deleted';
};

/** The steps that run over all volumes at once; snapshot, stage and swap run in runPipeline. */
export const FORWARD_HANDLERS: Record<Exclude<ForwardStep, PipelineStep>, ForwardHandler> = {
  retain,
  'scale-down': scaleDown,
  'scale-up': scaleUp,
  verify,
  finalize,
};
