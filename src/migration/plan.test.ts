import { assignZones, estimateDowntimeSeconds, planMigration, type OrdinalFacts } from './plan.js';

const ord = (ordinal: number, zone: string, size = 2 ** 30): OrdinalFacts => ({
  ordinal,
  volumes: [
    {
      pvc: `data-web-${ordinal}`,
      pv: `pv-${ordinal}`,
      sizeBytes: size,
      driver: 'd',
      sourceZone: zone,
      snapshotClass: 'c',
    },
  ],
});

const zonesOf = (sources: string[], targets: string[], start = 0) =>
  [
    ...assignZones(
      sources.map((z, i) => ord(i + start, z)),
      targets,
    ).entries(),
  ]
    .sort((a, b) => a[0] - b[0])
    .map(([, z]) => z);

describe('planMigration: zone assignment', () => {
  it('spreads three volumes from a over [b, c] as b, c, b', () => {
    expect(zonesOf(['a', 'a', 'a'], ['b', 'c'])).toEqual(['b', 'c', 'b']);
  });

  it('counts a volume already in b: the others go to c first, then b', () => {
    expect(zonesOf(['b', 'a', 'a'], ['b', 'c'])).toEqual(['b', 'c', 'b']);
    expect(zonesOf(['a', 'b', 'a'], ['b', 'c'])).toEqual(['c', 'b', 'b']);
  });

  it('keeps volumes already in a target zone even when that leaves the zones unbalanced', () => {
    expect(zonesOf(['b', 'b', 'b', 'a'], ['b', 'c'])).toEqual(['b', 'b', 'b', 'c']);
  });

  it('moves nothing when every volume is already in a target zone', () => {
    const plan = planMigration({
      workload: { namespace: 'n', name: 'web', kind: 'kube' },
      zoneKey: 'k',
      replicas: 2,
      targetZones: ['b', 'c'],
      ordinals: [ord(0, 'c'), ord(1, 'b')],
    });
    expect(plan.volumes.map((v) => [v.targetZone, v.moves])).toEqual([
      ['c', false],
      ['b', false],
    ]);
    expect(plan.estimatedDowntimeSeconds).toBe(0);
  });

  // Every combination of 1-3 target zones and 1-12 volumes: counts per zone differ by at most one when
  // nothing stays, and ties go to the zone listed first.
  const targetSets = [['b'], ['b', 'c'], ['c', 'b', 'd']];
  for (const targets of targetSets) {
    for (let n = 1; n <= 12; n++) {
      it(`spreads ${n} volumes from zone a evenly over ${targets.join(',')}, first zones first`, () => {
        const got = zonesOf(Array(n).fill('a'), targets);
        const counts = targets.map((t) => got.filter((z) => z === t).length);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        expect(counts).toEqual([...counts].sort((x, y) => y - x));
        expect(got.slice(0, targets.length)).toEqual(targets.slice(0, Math.min(n, targets.length)));
      });
    }
  }

  it('uses the ordinal order, not the input order, and honours a start ordinal', () => {
    const got = assignZones([ord(7, 'a'), ord(5, 'a'), ord(6, 'a')], ['b', 'c']);
    expect([...got.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [5, 'b'],
      [6, 'c'],
      [7, 'b'],
    ]);
  });

  it('places all volumes of one ordinal in one zone', () => {
    const two: OrdinalFacts = {
      ordinal: 0,
      volumes: [
        { pvc: 'data-web-0', pv: 'p1', sizeBytes: 1, driver: 'd', sourceZone: 'a', snapshotClass: 'c' },
        { pvc: 'logs-web-0', pv: 'p2', sizeBytes: 1, driver: 'd', sourceZone: 'a', snapshotClass: 'c' },
      ],
    };
    const plan = planMigration({
      workload: { namespace: 'n', name: 'web', kind: 'kube' },
      zoneKey: 'k',
      replicas: 2,
      targetZones: ['b', 'c'],
      ordinals: [two, ord(1, 'a')],
    });
    expect(plan.volumes.map((v) => `${v.pvc}:${v.targetZone}`)).toEqual([
      'data-web-0:b',
      'logs-web-0:b',
      'data-web-1:c',
    ]);
  });
});

describe('downtime estimate', () => {
  it('grows with the largest moving volume and, for OrderedReady, with the replica count', () => {
    const v = (sizeGiB: number, moves = true) => ({
      ordinal: 0,
      pvc: 'p',
      pv: 'v',
      sizeBytes: sizeGiB * 2 ** 30,
      driver: 'd',
      sourceZone: 'a',
      targetZone: 'b',
      snapshotClass: 'c',
      moves,
    });
    const small = estimateDowntimeSeconds([v(10)], 1);
    expect(estimateDowntimeSeconds([v(100)], 1)).toBeGreaterThan(small);
    expect(estimateDowntimeSeconds([v(10)], 5)).toBeGreaterThan(small);
    expect(estimateDowntimeSeconds([v(10)], 5, 'Parallel')).toBe(small);
    expect(estimateDowntimeSeconds([v(10, false)], 3)).toBe(0);
  });
});
