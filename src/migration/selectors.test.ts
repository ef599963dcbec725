import { matchesLabelSelector, matchesNodeSelectorTerm, tolerates, untoleratedTaints } from './selectors.js';
import { node } from './__fixtures__/cluster.js';

describe('tolerations against taints', () => {
  const taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
  it.each([
    [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }, true],
    [{ key: 'dedicated', value: 'db' }, true],
    [{ key: 'dedicated', operator: 'Exists' }, true],
    [{ operator: 'Exists' }, true],
    [{ key: 'dedicated', operator: 'Equal', value: 'web' }, false],
    [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, false],
    [{ key: 'other', operator: 'Exists' }, false],
  ])('%j tolerates dedicated=db:NoSchedule: %s', (tol, expected) => {
    expect(tolerates(tol, taint)).toBe(expected);
  });

  it('PreferNoSchedule never keeps a pod off; NoExecute does', () => {
    const n = node('n', 'a', {
      taints: [
        { key: 'x', effect: 'PreferNoSchedule' },
        { key: 'y', effect: 'NoExecute' },
      ],
    });
    expect(untoleratedTaints(n).map((t) => t.key)).toEqual(['y']);
    expect(untoleratedTaints(n, [{ key: 'y', operator: 'Exists', effect: 'NoExecute' }])).toEqual([]);
  });
});

describe('node selector terms', () => {
  const n = node('node-1', 'b', { labels: { gen: '5', pool: 'db' } });
  it.each([
    [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['db', 'x'] }] }, true],
    [{ matchExpressions: [{ key: 'pool', operator: 'NotIn', values: ['db'] }] }, false],
    [{ matchExpressions: [{ key: 'missing', operator: 'NotIn', values: ['db'] }] }, true],
    [{ matchExpressions: [{ key: 'pool', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'pool', operator: 'DoesNotExist' }] }, false],
    [{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }, true],
    [{ matchExpressions: [{ key: 'gen', operator: 'Lt', values: ['5'] }] }, false],
    [{ matchExpressions: [{ key: 'pool', operator: 'Gt', values: ['4'] }] }, false],
    [
      {
        matchExpressions: [
          { key: 'pool', operator: 'In', values: ['db'] },
          { key: 'gen', operator: 'In', values: ['4'] },
        ],
      },
      false,
    ],
    [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }, true],
    [{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['node-1'] }] }, false],
    [{}, false],
  ])('%j matches: %s', (term, expected) => {
    expect(matchesNodeSelectorTerm(term, n)).toBe(expected);
  });
});

describe('label selectors', () => {
  it('matches labels and expressions, and a missing selector matches nothing', () => {
    const labels = { app: 'web', tier: 'db' };
    expect(matchesLabelSelector({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(matchesLabelSelector({ matchLabels: { app: 'api' } }, labels)).toBe(false);
    expect(
      matchesLabelSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] }, labels),
    ).toBe(true);
    expect(
      matchesLabelSelector(
        { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] },
        labels,
      ),
    ).toBe(false);
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }, labels)).toBe(
      true,
    );
    expect(matchesLabelSelector({}, labels)).toBe(true);
    expect(matchesLabelSelector(undefined, labels)).toBe(false);
  });
});
