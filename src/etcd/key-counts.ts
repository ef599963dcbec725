import type { Etcd3 } from 'etcd3';

/**
 * The group a key is counted in: `/registry/<resource>` for Kubernetes data (with the API group for
 * CRDs, e.g. `/registry/snapshot.storage.k8s.io/volumesnapshots`), else the first path segment.
 */
export function prefixOf(key: string): string {
  const parts = key.split('/');
  if (key.startsWith('/registry/')) {
    const second = parts[2] ?? '';
    return second.includes('.') && parts.length > 4
      ? `/registry/${second}/${parts[3]}`
      : `/registry/${second}`;
  }
  if (key.startsWith('/')) return `/${parts[1] ?? ''}`;
  return parts.length > 1 ? `${parts[0]}/` : '(top level)';
}

export function countByPrefix(keys: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) {
    const p = prefixOf(k);
    out[p] = (out[p] ?? 0) + 1;
  }
  return sortedRecord(out);
}

export function sortedRecord(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The key-range family that `key` opens: every key that starts with the returned prefix has the same
 * `prefixOf` as `key`, so the whole family can be counted by one range. Undefined where no range holds
 * exactly `key`'s group: keys without a slash, a group's bare root (`/registry/pods`), empty segments,
 * four-segment keys under a dotted name (`/registry/<group>/<name>`, whose neighbours with more segments
 * group deeper), and keys whose bytes are not UTF-8.
 */
export function familyOf(key: Buffer): Buffer | undefined {
  const text = key.toString();
  const prefix = prefixOf(text);
  if (prefix === '(top level)') return undefined;
  // `a/b` groups as `a/`; a prefix that ends in '/' otherwise comes from an empty segment (`//x`,
  // `/registry//x`), and the keys under it group differently.
  if (prefix.endsWith('/') && text.startsWith('/')) return undefined;
  const family = prefix.endsWith('/') ? prefix : `${prefix}/`;
  if (!text.startsWith(family)) return undefined;
  const second = text.split('/')[2] ?? '';
  if (text.startsWith('/registry/') && second.includes('.') && prefix === `/registry/${second}`)
    return undefined;
  const bytes = Buffer.from(family);
  return key.subarray(0, bytes.length).equals(bytes) ? bytes : undefined;
}

/** The etcd reads the count needs; `etcdKeyRanges` serves them from a client at one revision. */
export interface KeyRanges {
  /** Up to `limit` keys from `from` on, in order, without their values; `more` when keys remain. */
  keysFrom(from: Buffer, limit: number): Promise<{ keys: Buffer[]; more: boolean }>;
  /** How many keys lie in [from, to). */
  count(from: Buffer, to: Buffer): Promise<number>;
}

const MAX_PAGE = 5000;

/**
 * Counts every key by prefix without reading the values. Reading keys only still makes etcd read and
 * decode every value from its database file (as much I/O as the snapshot itself, and it runs next to it);
 * a count comes from etcd's in-memory index. So: look at the next key; when it opens a family
 * (`familyOf`), count the family with one range and jump past it; otherwise count it alone. A Kubernetes
 * database costs two small requests per resource. Runs of keys that are counted alone are read in
 * growing pages, so a database of flat keys costs no more requests than paging through it.
 */
export async function countKeysWith(ranges: KeyRanges): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const add = (prefix: string, n: number): void => {
    counts[prefix] = (counts[prefix] ?? 0) + n;
  };
  let cursor = Buffer.from([0]);
  let page = 1;
  for (;;) {
    const { keys, more } = await ranges.keysFrom(cursor, page);
    let jumped = false;
    for (const key of keys) {
      const family = familyOf(key);
      if (family) {
        // The family ends with '/': with '0' (the next byte) in its place, the first key after all of it.
        const end = Buffer.concat([family.subarray(0, -1), Buffer.from('0')]);
        add(prefixOf(key.toString()), await ranges.count(key, end));
        cursor = end;
        jumped = true;
        break;
      }
      add(prefixOf(key.toString()), 1);
      cursor = Buffer.concat([key, Buffer.from([0])]);
    }
    if (jumped) page = 1;
    else if (!more || keys.length === 0) break;
    else page = Math.min(page * 4, MAX_PAGE);
  }
  return sortedRecord(counts);
}

/** `KeyRanges` over an etcd client, every read at `revision` (the latest when undefined). */
export function etcdKeyRanges(client: Etcd3, revision?: number): KeyRanges {
  const rev = revision === undefined ? undefined : String(revision);
  const all = Buffer.from([0]);
  return {
    // No sort order is asked for: etcd returns keys in order anyway, and an explicit sort makes it sort
    // the whole range for every request.
    async keysFrom(from, limit) {
      const res = await client.kv.range({ key: from, range_end: all, keys_only: true, limit, revision: rev });
      return { keys: res.kvs.map((kv) => kv.key), more: res.more };
    },
    async count(from, to) {
      const res = await client.kv.range({ key: from, range_end: to, count_only: true, revision: rev });
      return Number(res.count);
    },
  };
}

/** Counts every key by prefix at `revision`; see `countKeysWith`. */
export async function countKeysByPrefix(client: Etcd3, revision?: number): Promise<Record<string, number>> {
  return countKeysWith(etcdKeyRanges(client, revision));
}

export function totalKeys(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** Rows where two per-prefix counts differ. */
export function diffCounts(
  expected: Record<string, number>,
  actual: Record<string, number>,
): { prefix: string; expected: number; actual: number }[] {
  const prefixes = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  return prefixes
    .map((prefix) => ({ prefix, expected: expected[prefix] ?? 0, actual: actual[prefix] ?? 0 }))
    .filter((r) => r.expected !== r.actual);
}
