import { newJournal, updateVolume, type Journal } from './journal.js';
import { beginRollback } from './state-machine.js';
import {
  assessHealth,
  FailureCounter,
  podsLookReady,
  podsSignature,
  verifyOutputDifferences,
  type Observed,
  type PodHealthView,
} from './verify.js';
import { ganttChart, migrationSummary, timeline } from './migration-report.js';

const NOW = '2025-01-01T00:00:00.000Z';

function journal(): Journal {
  const j = newJournal({
    runId: 'r1',
    writer: 'w',
    now: NOW,
    workloadUid: 'u',
    targetZones: ['zone-b'],
    deleteSourceVolumes: false,
    snapshotRetentionMs: 1,
    plan: {
      workload: { namespace: 'ns', name: 'db', kind: 'kube' },
      zoneKey: 'zone',
      replicas: 1,
      estimatedDowntimeSeconds: 5,
      volumes: [
        {
          ordinal: 0,
          pvc: 'data-db-0',
          pv: 'pv-old',
          sizeBytes: 1,
          driver: 'd',
          sourceZone: 'zone-a',
          targetZone: 'zone-b',
          snapshotClass: 's',
          moves: true,
        },
      ],
    },
    facts: [
      {
        pvc: 'data-db-0',
        sourcePvUid: 'a',
        sourcePvcUid: 'b',
        sourceReclaimPolicy: 'Delete',
        storageClass: 'c',
        accessModes: ['ReadWriteOnce'],
        volumeMode: 'Filesystem',
        request: '1Gi',
        pvcLabels: {},
      },
    ],
  });
  return updateVolume(j, 'data-db-0', { newPv: 'pv-new' }, NOW);
}

function observed(zone: string, volumeName: string, extra: Partial<Observed['pods'][number]> = {}): Observed {
  return {
    pods: [
      {
        name: 'db-0',
        ready: true,
        nodeName: 'n1',
        restarts: 0,
        claims: ['data-db-0'],
        deleting: false,
        ...extra,
      },
    ],
    bindings: [{ pvc: 'data-db-0', exists: true, phase: 'Bound', volumeName }],
    nodeZones: { n1: zone },
  };
}

describe('assessHealth', () => {
  it('passes when every pod is Ready in its new volume zone and the name is bound to the new volume', () => {
    expect(assessHealth(journal(), observed('zone-b', 'pv-new'))).toEqual({ healthy: true, problems: [] });
  });

  it('names each problem: wrong zone, not Ready, wrong binding, missing pods, restarts', () => {
    const a = assessHealth(journal(), observed('zone-a', 'pv-old', { ready: false, restarts: 2 }), {
      'db-0': 0,
    });
    expect(a.healthy).toBe(false);
    expect(a.problems).toEqual([
      'db-0 is not Ready',
      'db-0 runs in zone-a, its volume data-db-0 is in zone-b',
      'db-0 restarted 2 times during the health window',
      'data-db-0: Bound to pv-old, expected Bound to pv-new',
    ]);
    expect(assessHealth(journal(), { ...observed('zone-b', 'pv-new'), pods: [] }).problems).toEqual([
      '0 of 1 pods exist',
    ]);
  });

  it('expects the source zone and volume during a rollback', () => {
    const rb = beginRollback(journal(), 'x', 'verify', NOW);
    expect(assessHealth(rb, observed('zone-a', 'pv-old')).healthy).toBe(true);
    expect(assessHealth(rb, observed('zone-b', 'pv-new')).healthy).toBe(false);
  });
});

describe('podsLookReady and podsSignature', () => {
  const pod = (name: string, ready: boolean, extra: Partial<PodHealthView> = {}): PodHealthView => ({
    name,
    ready,
    restarts: 0,
    claims: [],
    deleting: false,
    version: '1',
    ...extra,
  });

  it('looks ready with the original replica count, every pod Ready and none deleting', () => {
    expect(podsLookReady(journal(), [pod('db-0', true)])).toBe(true);
    expect(podsLookReady(journal(), [pod('db-0', false)])).toBe(false);
    expect(podsLookReady(journal(), [])).toBe(false);
    expect(podsLookReady(journal(), [pod('db-0', true), pod('db-1', true)])).toBe(false);
    // A pod on its way out does not count, its successor does.
    expect(podsLookReady(journal(), [pod('db-0', true, { deleting: true })])).toBe(false);
    expect(
      podsLookReady(journal(), [pod('db-0', true, { deleting: true, version: '2' }), pod('db-0', true)]),
    ).toBe(true);
  });

  it('changes with any pod version, not with the order of the list', () => {
    const a = [pod('db-0', true), pod('db-1', false, { version: '7' })];
    expect(podsSignature([...a].reverse())).toBe(podsSignature(a));
    expect(podsSignature([pod('db-0', true, { version: '2' }), a[1]!])).not.toBe(podsSignature(a));
    expect(podsSignature([a[0]!])).not.toBe(podsSignature(a));
  });
});

describe('verifyOutputDifferences', () => {
  it('reports changed and missing outputs by pod', () => {
    expect(verifyOutputDifferences({ a: 'x', b: 'y' }, { a: 'x', b: 'z', c: 'w' })).toEqual([
      'b: output changed ("y" -> "z")',
      'c: no output before the migration',
    ]);
    expect(verifyOutputDifferences({ a: 'x' }, { a: 'x' })).toEqual([]);
  });
});

describe('FailureCounter', () => {
  it('trips after max consecutive failures and resets on success', () => {
    const c = new FailureCounter(2);
    expect([c.record(false), c.record(true), c.record(false), c.record(false)]).toEqual([
      false,
      false,
      false,
      true,
    ]);
  });
});

describe('report', () => {
  it('draws the started steps as a gantt chart and a summary with downtime and the rollback', () => {
    let j = journal();
    j = {
      ...j,
      scaledDownAt: NOW,
      readyAgainAt: '2025-01-01T00:00:12.000Z',
      updatedAt: '2025-01-01T00:00:20.000Z',
    };
    j.steps = {
      ...j.steps,
      retain: { state: 'done', attempts: 1, startedAt: NOW, finishedAt: '2025-01-01T00:00:01.000Z' },
      'scale-down': { state: 'started', attempts: 1, startedAt: '2025-01-01T00:00:01.000Z' },
    };
    const rows = timeline(j);
    expect(rows.map((r) => [r.step, r.durationMs, r.state])).toEqual([
      ['retain', 1000, 'done'],
      ['scale-down', 19000, 'started'],
    ]);
    const t0 = Date.parse(NOW);
    expect(ganttChart(rows)).toContain(`  retain : ${t0}, ${t0 + 1000}`);
    expect(ganttChart(rows)).toContain(`  scale-down : crit, ${t0 + 1000}, ${t0 + 20000}`);
    const md = migrationSummary(
      'rolled-back',
      beginRollback(j, 'snapshot: failed', 'snapshot', NOW),
      undefined,
    );
    expect(md).toContain('**Downtime** (scale to zero until Ready again): 12.0 s');
    expect(md).toContain('- what failed: snapshot: failed');
  });
});
