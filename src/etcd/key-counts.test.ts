import { describe, expect, it } from '@jest/globals';
import { countByPrefix, diffCounts, prefixOf } from './key-counts.js';

describe('prefixOf', () => {
  it.each([
    ['/registry/pods/default/web-0', '/registry/pods'],
    ['/registry/services/specs/default/kubernetes', '/registry/services'],
    [
      '/registry/snapshot.storage.k8s.io/volumesnapshots/ns/s1',
      '/registry/snapshot.storage.k8s.io/volumesnapshots',
    ],
    ['/registry/ranges/serviceips', '/registry/ranges'],
    ['/app/config/a', '/app'],
    ['app/config', 'app/'],
    ['plain', '(top level)'],
  ])('%s -> %s', (key, prefix) => expect(prefixOf(key)).toBe(prefix));
});

describe('countByPrefix and diffCounts', () => {
  it('counts, sorts and reports only differing prefixes', () => {
    const counts = countByPrefix(['/registry/pods/a/1', '/registry/pods/a/2', '/registry/secrets/a/1', 'x']);
    expect(Object.keys(counts)).toEqual(['(top level)', '/registry/pods', '/registry/secrets']);
    expect(counts['/registry/pods']).toBe(2);
    expect(diffCounts(counts, { ...counts, '/registry/pods': 1, '/extra': 3 })).toEqual([
      { prefix: '/extra', expected: 0, actual: 3 },
      { prefix: '/registry/pods', expected: 2, actual: 1 },
    ]);
  });
});
