import { markStep, newJournal, updateVolume, type Journal, type JournalVolume } from './journal.js';
import {
  entryStep,
  isPipelineStep,
  pendingPipelineSteps,
  PIPELINE_STEPS,
  PipelineProgress,
  pvBoundToClaim,
  provisionedFor,
  provisionerAnnotation,
  stageRecorded,
  volumeSteps,
} from './pipeline.js';

const NOW = '2025-01-01T00:00:00.000Z';

function journal(n = 2): Journal {
  const names = Array.from({ length: n }, (_, i) => `data-db-${i}`);
  return newJournal({
    runId: 'abc123',
    writer: 'w1',
    now: NOW,
    workloadUid: 'uid-sts',
    targetZones: ['zone-b'],
    deleteSourceVolumes: false,
    snapshotRetentionMs: 1,
    plan: {
      workload: { namespace: 'ns', name: 'db', kind: 'kube' },
      zoneKey: 'zone',
      replicas: n,
      estimatedDowntimeSeconds: 10,
      volumes: names.map((pvc, i) => ({
        ordinal: i,
        pvc,
        pv: `pv-${i}`,
        sizeBytes: 1 << 30,
        driver: 'd',
        sourceZone: 'zone-a',
        targetZone: 'zone-b',
        snapshotClass: 'snap',
        moves: true,
      })),
    },
    facts: names.map((pvc, i) => ({
      pvc,
      sourcePvUid: `pvuid-${i}`,
      sourcePvcUid: `pvcuid-${i}`,
      sourceReclaimPolicy: 'Delete',
      storageClass: 'fast',
      accessModes: ['ReadWriteOnce'],
      volumeMode: 'Filesystem',
      request: '1Gi',
      pvcLabels: {},
    })),
  });
}

function vol(patch: Partial<JournalVolume> = {}): JournalVolume {
  return { ...journal(1).volumes[0]!, ...patch };
}

describe('isPipelineStep', () => {
  it('is true for snapshot, stage and swap only', () => {
    expect(PIPELINE_STEPS).toEqual(['snapshot', 'stage', 'swap']);
    expect(
      ['retain', 'scale-down', 'snapshot', 'stage', 'swap', 'scale-up'].filter((s) =>
        isPipelineStep(s as never),
      ),
    ).toEqual(['snapshot', 'stage', 'swap']);
  });
});

describe('pendingPipelineSteps', () => {
  it('lists the pipeline steps not recorded as done, started ones included', () => {
    let j = journal();
    expect(pendingPipelineSteps(j)).toEqual(['snapshot', 'stage', 'swap']);
    j = markStep(markStep(j, 'snapshot', 'started', NOW), 'snapshot', 'done', NOW);
    j = markStep(j, 'stage', 'started', NOW);
    expect(pendingPipelineSteps(j)).toEqual(['stage', 'swap']);
  });
});

describe('entryStep and volumeSteps', () => {
  it('starts a fresh volume at its snapshot', () => {
    expect(entryStep(vol())).toBe('snapshot');
    expect(volumeSteps(vol())).toEqual(['snapshot', 'stage', 'swap']);
  });

  it('goes on with the stage once the snapshot is recorded', () => {
    const v = vol({ snapshotUid: 's1', restoreSize: '1Gi' });
    expect(entryStep(v)).toBe('stage');
    expect(volumeSteps(v)).toEqual(['stage', 'swap']);
  });

  it('never stages again once the new volume is recorded in its target zone (the swap may have deleted the staging claim)', () => {
    const v = vol({ snapshotUid: 's1', newPv: 'pv-new', newPvZone: 'zone-b' });
    expect(stageRecorded(v)).toBe(true);
    expect(volumeSteps(v)).toEqual(['swap']);
  });

  it('stages again (and so fails again) when the recorded new volume is in another zone', () => {
    const v = vol({ snapshotUid: 's1', newPv: 'pv-new', newPvZone: 'zone-c' });
    expect(stageRecorded(v)).toBe(false);
    expect(entryStep(v)).toBe('stage');
  });

  it('has nothing left for a swapped volume', () => {
    const v = vol({ snapshotUid: 's1', newPv: 'pv-new', newPvZone: 'zone-b', swapped: true });
    expect(entryStep(v)).toBeUndefined();
    expect(volumeSteps(v)).toEqual([]);
  });

  it('reads the volume state recorded by updateVolume', () => {
    const j = updateVolume(journal(), 'data-db-1', { snapshotUid: 'x' }, NOW);
    expect(j.volumes.map((v) => entryStep(v))).toEqual(['snapshot', 'stage']);
  });
});

describe('PipelineProgress', () => {
  it('closes a step once every volume has passed it, and the steps in order', () => {
    const p = new PipelineProgress(['snapshot', 'stage', 'swap'], ['a', 'b']);
    expect(p.pass('a', 'snapshot')).toEqual([]);
    expect(p.pass('a', 'stage')).toEqual([]);
    expect(p.pass('a', 'swap')).toEqual([]);
    // b's snapshot completes the snapshot step; stage and swap still wait for b.
    expect(p.pass('b', 'snapshot')).toEqual(['snapshot']);
    expect(p.open).toEqual(['stage', 'swap']);
    expect(p.pass('b', 'stage')).toEqual(['stage']);
    expect(p.pass('b', 'swap')).toEqual(['swap']);
    expect(p.open).toEqual([]);
  });

  it('counts a volume that starts later as having passed the earlier steps', () => {
    const p = new PipelineProgress(['snapshot', 'stage', 'swap'], ['a', 'b']);
    expect(p.pass('a', 'stage')).toEqual([]);
    expect(p.pass('b', 'snapshot')).toEqual(['snapshot']);
  });

  it('closes a later step only after the steps before it', () => {
    const p = new PipelineProgress(['snapshot', 'stage'], ['a', 'b']);
    // Both passed stage for a; b has not snapshotted yet: nothing closes.
    expect(p.pass('a', 'stage')).toEqual([]);
    expect(p.pass('b', 'stage')).toEqual(['snapshot', 'stage']);
  });

  it('tracks only the steps it was given (those not done in the journal)', () => {
    const p = new PipelineProgress(['swap'], ['a']);
    expect(p.pass('a', 'stage')).toEqual([]);
    expect(p.pass('a', 'swap')).toEqual(['swap']);
  });

  it('reports every step as complete when there are no volumes', () => {
    const p = new PipelineProgress(['stage', 'swap'], []);
    expect(p.flush()).toEqual(['stage', 'swap']);
    expect(p.flush()).toEqual([]);
  });

  it('reports a step once only', () => {
    const p = new PipelineProgress(['snapshot'], ['a']);
    expect(p.pass('a', 'snapshot')).toEqual(['snapshot']);
    expect(p.pass('a', 'snapshot')).toEqual([]);
    expect(p.flush()).toEqual([]);
  });
});

describe('pvBoundToClaim', () => {
  it('is true only for a Bound PV whose claimRef names the claim with a UID', () => {
    const pv = (phase: string, uid?: string, name = 'data-db-0') => ({
      spec: { claimRef: { namespace: 'ns', name, uid } },
      status: { phase },
    });
    expect(pvBoundToClaim(pv('Bound', 'u1'), 'ns', 'data-db-0')).toBe(true);
    expect(pvBoundToClaim(pv('Available', 'u1'), 'ns', 'data-db-0')).toBe(false);
    expect(pvBoundToClaim(pv('Bound'), 'ns', 'data-db-0')).toBe(false);
    expect(pvBoundToClaim(pv('Bound', 'u1', 'other'), 'ns', 'data-db-0')).toBe(false);
    expect(pvBoundToClaim(pv('Bound', 'u1'), 'other-ns', 'data-db-0')).toBe(false);
    expect(pvBoundToClaim(undefined, 'ns', 'data-db-0')).toBe(false);
  });
});

describe('provisionedFor', () => {
  const pv = (uid?: string, name = 'db-0-staging', namespace = 'ns', phase = 'Pending') => ({
    spec: { claimRef: { namespace, name, uid } },
    status: { phase },
  });

  it('takes a PV whose claimRef names the claim and its UID, in whatever phase', () => {
    expect(provisionedFor(pv('u1'), 'ns', 'db-0-staging', 'u1')).toBe(true);
    expect(provisionedFor(pv('u1', 'db-0-staging', 'ns', 'Bound'), 'ns', 'db-0-staging', 'u1')).toBe(true);
  });

  it('refuses a PV of an earlier claim of that name, of another claim or namespace, or with no claimRef', () => {
    expect(provisionedFor(pv('u0'), 'ns', 'db-0-staging', 'u1')).toBe(false);
    expect(provisionedFor(pv(undefined), 'ns', 'db-0-staging', 'u1')).toBe(false);
    expect(provisionedFor(pv('u1', 'db-1-staging'), 'ns', 'db-0-staging', 'u1')).toBe(false);
    expect(provisionedFor(pv('u1', 'db-0-staging', 'other'), 'ns', 'db-0-staging', 'u1')).toBe(false);
    expect(provisionedFor({}, 'ns', 'db-0-staging', 'u1')).toBe(false);
    expect(provisionedFor(undefined, 'ns', 'db-0-staging', 'u1')).toBe(false);
  });
});

describe('provisionerAnnotation', () => {
  it("names the class's CSI provisioner, as the PV controller would", () => {
    expect(provisionerAnnotation({ provisioner: 'fake.csi.kubesafe.dev' })).toEqual({
      'volume.kubernetes.io/storage-provisioner': 'fake.csi.kubesafe.dev',
    });
  });

  it('leaves in-tree provisioner names to the PV controller, which translates them', () => {
    expect(provisionerAnnotation({ provisioner: 'kubernetes.io/aws-ebs' })).toEqual({});
    expect(provisionerAnnotation({})).toEqual({});
  });
});
