import { describe, expect, it } from '@jest/globals';
import {
  countByPrefix,
  countKeysWith,
  diffCounts,
  familyOf,
  prefixOf,
  type KeyRanges,
} from './key-counts.js';

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

/** An in-memory key set served as etcd would serve it, counting the requests. */
class MemoryKeyRanges implements KeyRanges {
  readonly keys: Buffer[];
  requests = 0;
  constructor(keys: (string | Buffer)[]) {
    this.keys = keys.map((k) => Buffer.from(k)).sort(Buffer.compare);
  }
  async keysFrom(from: Buffer, limit: number): Promise<{ keys: Buffer[]; more: boolean }> {
    this.requests++;
    const after = this.keys.filter((k) => Buffer.compare(k, from) >= 0);
    return { keys: after.slice(0, limit), more: after.length > limit };
  }
  async count(from: Buffer, to: Buffer): Promise<number> {
    this.requests++;
    return this.keys.filter((k) => Buffer.compare(k, from) >= 0 && Buffer.compare(k, to) < 0).length;
  }
}

describe('familyOf', () => {
  it.each([
    ['/registry/pods/default/web-0', '/registry/pods/'],
    [
      '/registry/snapshot.storage.k8s.io/volumesnapshots/ns/s1',
      '/registry/snapshot.storage.k8s.io/volumesnapshots/',
    ],
    ['/app/config/a', '/app/'],
    ['app/config', 'app/'],
  ])('%s opens the family %s', (key, family) => expect(familyOf(Buffer.from(key))?.toString()).toBe(family));

  it.each(['plain', '/registry/pods', '/registry/apiregistration.k8s.io/apiservices', '/app'])(
    '%s is counted on its own',
    (key) => expect(familyOf(Buffer.from(key))).toBeUndefined(),
  );

  it('does not trust a family whose bytes are not the key’s (invalid UTF-8)', () => {
    expect(familyOf(Buffer.from([0x2f, 0xff, 0x2f, 0x61]))).toBeUndefined();
  });
});

describe('countKeysWith', () => {
  const kubernetes = [
    ...Array.from({ length: 300 }, (_, i) => `/registry/pods/ns-${i % 7}/pod-${i}`),
    ...Array.from({ length: 120 }, (_, i) => `/registry/secrets/ns-${i % 3}/s-${i}`),
    ...Array.from({ length: 40 }, (_, i) => `/registry/snapshot.storage.k8s.io/volumesnapshots/ns/v-${i}`),
    ...Array.from({ length: 5 }, (_, i) => `/registry/apiregistration.k8s.io/apiservices/v1.g${i}`),
    '/registry/ranges/serviceips',
    '/registry/health',
  ];

  it('counts a Kubernetes database as a key-by-key count does, in two requests per resource (family)', async () => {
    const ranges = new MemoryKeyRanges(kubernetes);
    expect(await countKeysWith(ranges)).toEqual(countByPrefix(kubernetes));
    // 5 families (pods, secrets, volumesnapshots, apiservices, ranges): a look and a count each. The bare
    // key /registry/health is counted alone when a look finds it; a last look finds nothing.
    expect(ranges.requests).toBe(5 * 2 + 1 + 1);
  });

  it('agrees with a key-by-key count on keys that defeat the shortcut', async () => {
    const awkward = [
      ...kubernetes,
      '/registry/pods', // a family's bare root
      '/registry/pods-extra/x', // sorts between the root and the family
      '/registry/pods.v2/a/b', // a dotted name right after it
      '/registry/example.com/widgets', // four segments under a dotted name: grouped by the name
      '/registry/example.com/widgets/ns/w1', // five: grouped by name and resource
      '/registry/example.com/gadgets',
      ...Array.from({ length: 50 }, (_, i) => `flat-${i}`),
      'a/b',
      'a/c/d',
      '/',
      '//x',
      '//y/z',
      '/registry//x',
      '/registry//y/z',
      '/registry/a.b//x/y',
      '/registry/a.b//z/w',
      Buffer.from([0x2f, 0xff, 0x2f, 0x61]),
      Buffer.from([0x2f, 0xff, 0x2f, 0x62]),
    ];
    const ranges = new MemoryKeyRanges(awkward);
    expect(await countKeysWith(ranges)).toEqual(countByPrefix(ranges.keys.map((k) => k.toString())));
  });

  it('pages through keys that are counted one by one instead of asking for each', async () => {
    const flat = Array.from({ length: 20_000 }, (_, i) => `key-${String(i).padStart(6, '0')}`);
    const ranges = new MemoryKeyRanges(flat);
    expect(await countKeysWith(ranges)).toEqual({ '(top level)': 20_000 });
    // Pages of 1, 4, 16, ... 4096, then 5000: 11 requests, not 20 000.
    expect(ranges.requests).toBeLessThanOrEqual(12);
  });

  it('counts an empty database as empty', async () => {
    expect(await countKeysWith(new MemoryKeyRanges([]))).toEqual({});
  });
});
