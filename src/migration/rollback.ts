/**
 * The rollback steps: back to the source volumes (kept with Retain) under the same PVC names, the
 * original replicas, healthy. Staging objects go; snapshots stay for inspection; new volumes the
 * workload already wrote to are kept (Retain) and reported, never deleted.
 */
import type { MigrationRun, RollbackHandler } from './execute.js';
import { StepFailed } from './execute.js';
import { movingVolumes, type JournalVolume, type RollbackStep } from './journal.js';
import { scaleUpBlockers } from './state-machine.js';
import { recreateClaim, verifyHealth, waitScaledDown } from './steps.js';
import {
  deletePvcByUid,
  deleteStorageClass,
  patchPv,
  readPv,
  readPvc,
  setReclaimPolicy,
} from '../kube/mutate.js';
import { scaleWorkload } from '../kube/scale.js';
import { readOptional } from '../kube/clients.js';
import { claimBindings } from '../kube/observe.js';
import { waitFor } from '../kube/wait.js';

function note(run: MigrationRun, list: 'undone' | 'kept', line: string): Promise<void> {
  return run.commit((j) => {
    const rb = j.rollback ?? {
      reason: 'unknown',
      failedStep: 'unknown' as const,
      startedAt: run.now(),
      undone: [],
      kept: [],
    };
    if (rb[list].includes(line)) return j;
    return { ...j, rollback: { ...rb, [list]: [...rb[list], line] } };
  });
}

const scaleDown: RollbackHandler = async (run) => {
  await scaleWorkload(run.c, run.journal.workload, 0);
  const pvs = movingVolumes(run.journal).flatMap((v) => [v.sourcePv, ...(v.newPv ? [v.newPv] : [])]);
  await waitScaledDown(run, pvs);
};

async function restoreClaim(run: MigrationRun, v: JournalVolume): Promise<string> {
  const ns = run.journal.workload.namespace;
  const current = await readPvc(run.c, ns, v.pvc);
  if (current?.metadata?.uid === v.sourcePvcUid) return `${v.pvc} still on its source volume`;
  const source = await readPv(run.c, v.sourcePv);
  if (!source || source.metadata?.uid !== v.sourcePvUid)
    throw new StepFailed(`source PV ${v.sourcePv} (uid ${v.sourcePvUid}) is gone; cannot roll ${v.pvc} back`);
  if (current?.spec?.volumeName === v.sourcePv) {
    // An earlier rollback run re-created the claim already (and may have stopped before pointing
    // the source PV at it): recreateClaim takes the claim as it is and finishes the binding.
    await recreateClaim(run, v, v.sourcePv);
    return `${v.pvc} bound to its source volume ${v.sourcePv} again`;
  }
  if (current) {
    // The claim under this name points at the new volume: keep that volume's disk, then let the name go.
    if (current.spec?.volumeName && current.spec.volumeName !== v.sourcePv)
      await setReclaimPolicy(run.c, current.spec.volumeName, 'Retain');
    await deletePvcByUid(run.c, ns, v.pvc, current.metadata!.uid!);
    await waitFor(
      run.c,
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: ns,
        fieldSelector: `metadata.name=${v.pvc}`,
      },
      `PVC ${v.pvc} to be deleted`,
      run.settings.stepTimeoutMs,
      (objs) =>
        objs.some((o) => o.metadata?.uid === current.metadata!.uid)
          ? { done: false, why: 'still present' }
          : { done: true, value: undefined },
    );
  }
  await recreateClaim(run, v, v.sourcePv);
  return `${v.pvc} bound to its source volume ${v.sourcePv} again`;
}

const claims: RollbackHandler = async (run) => {
  await Promise.all(
    movingVolumes(run.journal).map(async (v) => {
      const line = await restoreClaim(run, v);
      await note(run, 'undone', line);
      run.reporter.info(`  ${line}`);
    }),
  );
};

const staging: RollbackHandler = async (run) => {
  const j = run.journal;
  const ns = j.workload.namespace;
  const workloadRan = j.steps['scale-up'].state !== 'pending';
  for (const v of movingVolumes(j)) {
    const staged = await readPvc(run.c, ns, v.stagingPvc);
    if (staged?.metadata?.uid) {
      // Rule 1 holds for copies too: the volume is Retain before its claim goes, and released below.
      const copy = staged.spec?.volumeName ? await readPv(run.c, staged.spec.volumeName) : undefined;
      if (copy && copy.spec?.persistentVolumeReclaimPolicy !== 'Retain') {
        await readOptional(() =>
          patchPv(run.c, copy.metadata!.name!, { spec: { persistentVolumeReclaimPolicy: 'Retain' } }),
        );
      }
      await deletePvcByUid(run.c, ns, v.stagingPvc, staged.metadata.uid);
      await note(run, 'undone', `staging PVC ${v.stagingPvc} deleted`);
    }
    const newPv = v.newPv ?? staged?.spec?.volumeName;
    if (newPv) {
      const pv = await readPv(run.c, newPv);
      const claimedByName =
        pv?.spec?.claimRef?.name === v.pvc &&
        pv.spec.claimRef.uid !== undefined &&
        (await readPvc(run.c, ns, v.pvc))?.spec?.volumeName === newPv;
      if (pv && !claimedByName) {
        if (workloadRan) {
          // The workload ran on it: it may hold writes the source does not. Keep it.
          await setReclaimPolicy(run.c, newPv, 'Retain');
          await note(
            run,
            'kept',
            `new volume ${newPv} (${v.pvc}'s copy in ${v.targetZone}; the workload ran on it), reclaimPolicy Retain`,
          );
        } else {
          // A pure copy of the snapshot: let the provisioner delete it with its disk.
          // The PV may be going already (its staging claim was deleted and its class deletes): fine.
          if (pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') {
            await readOptional(() =>
              patchPv(run.c, newPv, { spec: { persistentVolumeReclaimPolicy: 'Delete' } }),
            );
          }
          await note(run, 'undone', `new volume ${newPv} in ${v.targetZone} released for deletion`);
        }
      }
    }
    if (v.zonalStorageClass) {
      await deleteStorageClass(run.c, v.zonalStorageClass);
      await note(run, 'undone', `StorageClass ${v.zonalStorageClass} deleted`);
    }
    if (v.snapshotUid) await note(run, 'kept', `VolumeSnapshot ${v.snapshotName} (for inspection)`);
  }
};

const scaleUp: RollbackHandler = async (run) => {
  const blockers = scaleUpBlockers(run.journal, await claimBindings(run.c, run.journal));
  if (blockers.length > 0)
    throw new StepFailed(
      `not scaling up (a PVC name is not bound to its source volume): ${blockers.join('; ')}`,
    );
  await scaleWorkload(run.c, run.journal.workload, run.journal.originalReplicas);
  await note(run, 'undone', `replicas restored to ${run.journal.originalReplicas}`);
};

const verify: RollbackHandler = (run) => verifyHealth(run);

const reclaim: RollbackHandler = async (run) => {
  for (const v of movingVolumes(run.journal)) {
    const pv = await readPv(run.c, v.sourcePv);
    if (
      pv?.metadata?.uid === v.sourcePvUid &&
      pv.spec?.persistentVolumeReclaimPolicy !== v.sourceReclaimPolicy
    ) {
      await setReclaimPolicy(run.c, v.sourcePv, v.sourceReclaimPolicy);
      await note(run, 'undone', `source PV ${v.sourcePv} reclaimPolicy back to ${v.sourceReclaimPolicy}`);
    }
  }
};

export const ROLLBACK_HANDLERS: Record<RollbackStep, RollbackHandler> = {
  'rollback-scale-down': scaleDown,
  'rollback-claims': claims,
  'rollback-staging': staging,
  'rollback-scale-up': scaleUp,
  'rollback-verify': verify,
  'rollback-reclaim': reclaim,
};
