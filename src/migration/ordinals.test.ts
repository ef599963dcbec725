import { liveOrdinals, podOrdinal, pvcName, reservedOrdinals } from './ordinals.js';
import { statefulSet } from './__fixtures__/cluster.js';

describe('live ordinals', () => {
  it.each([
    [3, undefined, undefined, [0, 1, 2]],
    [3, 5, undefined, [5, 6, 7]],
    [3, undefined, [1], [0, 2, 3]],
    [3, undefined, [0, 1, 2], [3, 4, 5]],
    [4, 2, ['3-4', 7], [2, 5, 6, 8]],
    [2, undefined, ['1', 9], [0, 2]],
    [0, undefined, [0], []],
  ] as const)('replicas %d, start %s, reserved %j: %j', (replicas, start, reserve, expected) => {
    const sts = statefulSet(replicas, (s) => {
      if (start !== undefined) s.spec!.ordinals = { start };
      if (reserve) s.spec!.reserveOrdinals = [...reserve];
    });
    expect(liveOrdinals(sts)).toEqual(expected);
  });
  it('reads ranges and reports what it cannot read', () => {
    const r = reservedOrdinals([1, '3-5', 'x', '7-6']);
    expect([...r.reserved].sort()).toEqual([1, 3, 4, 5]);
    expect(r.invalid).toEqual(['x', '7-6']);
  });
  it('names PVCs and reads pod ordinals', () => {
    expect(pvcName('data', 'web', 3)).toBe('data-web-3');
    expect(podOrdinal('web', 'web-12')).toBe(12);
    expect(podOrdinal('web', 'web-api-1')).toBeUndefined();
  });
});
