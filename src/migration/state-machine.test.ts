import {
  FORWARD_STEPS,
  markStep,
  snapshotNameFor,
  newJournal,
  parseJournal,
  serializeJournal,
  updateVolume,
  type Journal,
} from './journal.js';
import {
  beginRollback,
  closeJournal,
  downtimeMs,
  failureRollsBack,
  nextAction,
  rollbackBlocker,
  rollbackPath,
  scaleUpBlockers,
} from './state-machine.js';
import type { MigrationPlan } from './types.js';

const NOW = '2025-01-01T00:00:00.000Z';

function plan(): MigrationPlan {
  return {
    workload: { namespace: 'ns', name: 'db', kind: 'kube' },
    zoneKey: 'topology.kubernetes.io/zone',
    replicas: 2,
    estimatedDowntimeSeconds: 10,
    volumes: [0, 1].map((i) => ({
      ordinal: i,
      pvc: `data-db-${i}`,
      pv: `pv-${i}`,
      sizeBytes: 1 << 30,
      driver: 'd',
      sourceZone: 'zone-a',
      targetZone: i === 0 ? 'zone-b' : 'zone-a',
      snapshotClass: 'snap',
      moves: i === 0,
    })),
  };
}

function journal(): Journal {
  return newJournal({
    runId: 'abc123',
    writer: 'w1',
    now: NOW,
    plan: plan(),
    workloadUid: 'uid-sts',
    targetZones: ['zone-b'],
    deleteSourceVolumes: false,
    snapshotRetentionMs: 86_400_000,
    facts: [0, 1].map((i) => ({
      pvc: `data-db-${i}`,
      sourcePvUid: `pvuid-${i}`,
      sourcePvcUid: `pvcuid-${i}`,
      sourceReclaimPolicy: 'Delete',
      storageClass: 'fast',
      accessModes: ['ReadWriteOnce'],
      volumeMode: 'Filesystem',
      request: '1Gi',
      pvcLabels: { app: 'db' },
    })),
  });
}

/** The journal after the forward steps before `index` are done and `index` itself is `state`. */
function progressed(index: number, state: 'pending' | 'started' | 'done' = 'pending'): Journal {
  let j = journal();
  FORWARD_STEPS.forEach((s, i) => {
    if (i < index) j = markStep(markStep(j, s, 'started', NOW), s, 'done', NOW);
    else if (i === index && state !== 'pending') {
      j = markStep(j, s, 'started', NOW);
      if (state === 'done') j = markStep(j, s, 'done', NOW);
    }
  });
  return j;
}

describe('nextAction', () => {
  it.each(FORWARD_STEPS.map((s, i) => [s, i] as const))(
    'goes to %s once the steps before it are done',
    (step, i) => {
      expect(nextAction(progressed(i))).toEqual({ kind: 'forward', step });
    },
  );

  it.each(FORWARD_STEPS.map((s, i) => [s, i] as const))(
    're-runs %s when a run was killed inside it',
    (step, i) => {
      expect(nextAction(progressed(i, 'started'))).toEqual({ kind: 'forward', step });
    },
  );

  it('reports a migration whose steps are all done as migrated', () => {
    expect(nextAction(progressed(FORWARD_STEPS.length))).toEqual({ kind: 'closed', status: 'migrated' });
  });

  it('does nothing for a closed journal', () => {
    expect(nextAction(closeJournal(progressed(3), 'rolled-back', NOW))).toEqual({
      kind: 'closed',
      status: 'rolled-back',
    });
  });

  it('walks the rollback path in order and then reports rolled-back', () => {
    let j = beginRollback(progressed(5, 'started'), 'pods never ready', 'scale-up', NOW);
    const seen: string[] = [];
    for (let a = nextAction(j); a.kind === 'rollback'; a = nextAction(j)) {
      seen.push(a.step);
      j = markStep(markStep(j, a.step, 'started', NOW), a.step, 'done', NOW);
    }
    expect(seen).toEqual(rollbackPath(j));
    expect(nextAction(j)).toEqual({ kind: 'closed', status: 'rolled-back' });
  });

  it('resumes a rollback killed in the middle at the step that was interrupted', () => {
    let j = beginRollback(progressed(4, 'started'), 'x', 'swap', NOW);
    j = markStep(markStep(j, 'rollback-scale-down', 'started', NOW), 'rollback-scale-down', 'done', NOW);
    j = markStep(j, 'rollback-claims', 'started', NOW);
    expect(nextAction(j)).toEqual({ kind: 'rollback', step: 'rollback-claims' });
  });
});

describe('rollbackPath', () => {
  // For every forward step where a failure (or a kill) can happen: what has to be undone.
  const cases: [string, number, 'started' | 'done', string[]][] = [
    ['nothing started', 0, 'started', ['rollback-reclaim']],
    ['retain done', 0, 'done', ['rollback-reclaim']],
    ['scale-down started', 1, 'started', ['rollback-scale-up', 'rollback-verify', 'rollback-reclaim']],
    ['scale-down done', 1, 'done', ['rollback-scale-up', 'rollback-verify', 'rollback-reclaim']],
    ['snapshot started', 2, 'started', ['rollback-scale-up', 'rollback-verify', 'rollback-reclaim']],
    ['snapshot done', 2, 'done', ['rollback-scale-up', 'rollback-verify', 'rollback-reclaim']],
    [
      'stage started',
      3,
      'started',
      ['rollback-staging', 'rollback-scale-up', 'rollback-verify', 'rollback-reclaim'],
    ],
    [
      'stage done',
      3,
      'done',
      ['rollback-staging', 'rollback-scale-up', 'rollback-verify', 'rollback-reclaim'],
    ],
    ...(['started', 'done'] as const).flatMap((state) =>
      [4, 5, 6].map(
        (i) =>
          [
            `${FORWARD_STEPS[i]} ${state}`,
            i,
            state,
            [
              'rollback-scale-down',
              'rollback-claims',
              'rollback-staging',
              'rollback-scale-up',
              'rollback-verify',
              'rollback-reclaim',
            ],
          ] as [string, number, 'started' | 'done', string[]],
      ),
    ),
  ];
  it.each(cases)('after %s', (_name, index, state, expected) => {
    expect(rollbackPath(progressed(index, state))).toEqual(expected);
  });

  it('is empty when nothing was started', () => {
    expect(rollbackPath(journal())).toEqual([]);
  });
});

describe('rollback rules', () => {
  it('rolls back failures until verification passed, and not after', () => {
    expect(failureRollsBack(progressed(6, 'started'))).toBe(true);
    expect(failureRollsBack(progressed(7, 'started'))).toBe(false);
  });

  it('refuses a rollback once a source volume was deleted', () => {
    const j = updateVolume(progressed(7, 'started'), 'data-db-0', { sourceDeleted: true }, NOW);
    expect(rollbackBlocker(j)).toMatch(/pv-0/);
    expect(rollbackBlocker(progressed(7, 'started'))).toBeUndefined();
  });

  it('refuses a rollback of a closed journal', () => {
    expect(rollbackBlocker(closeJournal(progressed(8), 'migrated', NOW))).toMatch(/closed \(migrated\)/);
  });

  it('keeps the first failure when a rollback is begun twice', () => {
    const once = beginRollback(progressed(3, 'started'), 'first', 'stage', NOW);
    expect(beginRollback(once, 'second', 'swap', NOW).rollback?.reason).toBe('first');
  });
});

describe('scaleUpBlockers (rule 2)', () => {
  const swapped = updateVolume(progressed(5), 'data-db-0', { newPv: 'pv-new-0' }, NOW);

  it('allows the scale-up when each PVC name is bound to its intended volume', () => {
    expect(
      scaleUpBlockers(swapped, [
        { pvc: 'data-db-0', exists: true, phase: 'Bound', volumeName: 'pv-new-0' },
        { pvc: 'data-db-1', exists: true, phase: 'Bound', volumeName: 'pv-1' },
      ]),
    ).toEqual([]);
  });

  it('blocks it when a PVC name is missing, pending or bound elsewhere', () => {
    expect(
      scaleUpBlockers(swapped, [{ pvc: 'data-db-1', exists: true, phase: 'Bound', volumeName: 'pv-1' }]),
    ).toEqual(['data-db-0: no PVC of that name exists']);
    expect(
      scaleUpBlockers(swapped, [
        { pvc: 'data-db-0', exists: true, phase: 'Bound', volumeName: 'pv-0' },
        { pvc: 'data-db-1', exists: true, phase: 'Pending', volumeName: '' },
      ]),
    ).toEqual([
      'data-db-0: Bound to pv-0, expected Bound to pv-new-0',
      'data-db-1: Pending to no volume, expected Bound to pv-1',
    ]);
  });

  it('expects the source volumes during a rollback', () => {
    const rb = beginRollback(swapped, 'x', 'verify', NOW);
    expect(
      scaleUpBlockers(rb, [{ pvc: 'data-db-0', exists: true, phase: 'Bound', volumeName: 'pv-new-0' }])[0],
    ).toBe('data-db-0: Bound to pv-new-0, expected Bound to pv-0');
  });
});

describe('journal', () => {
  it('round-trips through its stored form', () => {
    const j = progressed(3, 'started');
    expect(parseJournal(serializeJournal(j))).toEqual(j);
  });

  it('refuses a journal of another version', () => {
    expect(() => parseJournal(JSON.stringify({ ...journal(), version: 99 }))).toThrow(/version 99/);
  });

  it('names snapshots and staging claims deterministically within 63 characters', () => {
    const j = journal();
    expect(j.volumes[0]!.snapshotName).toBe('data-db-0-ks-abc123');
    expect(j.volumes[0]!.stagingPvc).toBe('data-db-0-ks-stage-abc123');
    const long = snapshotNameFor('x'.repeat(80), 'abc123');
    expect(long).toHaveLength(63);
    expect(long.endsWith('-ks-abc123')).toBe(true);
  });

  it('counts attempts and keeps the first start time across a resume', () => {
    let j = markStep(journal(), 'snapshot', 'started', NOW);
    j = markStep(j, 'snapshot', 'started', '2025-01-01T00:01:00.000Z');
    expect(j.steps.snapshot).toEqual({ state: 'started', attempts: 2, startedAt: NOW });
  });

  it('measures downtime from the scale-down to ready again', () => {
    expect(downtimeMs({ ...journal(), scaledDownAt: NOW, readyAgainAt: '2025-01-01T00:00:42.500Z' })).toBe(
      42_500,
    );
    expect(downtimeMs(journal())).toBeUndefined();
  });
});
