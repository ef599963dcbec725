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

const PAGE = 5000;

/**
 * Counts every key by prefix at `revision`, reading keys only in pages. No sort order is asked for:
 * etcd returns keys in order anyway, and an explicit sort makes it sort the whole range for every page.
 */
export async function countKeysByPrefix(client: Etcd3, revision?: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let start = Buffer.from([0]);
  const end = Buffer.from([0]);
  for (;;) {
    const res = await client.kv.range({
      key: start,
      range_end: end,
      keys_only: true,
      limit: PAGE,
      revision: revision === undefined ? undefined : String(revision),
    });
    for (const kv of res.kvs) {
      const p = prefixOf(kv.key.toString());
      counts[p] = (counts[p] ?? 0) + 1;
    }
    if (!res.more || res.kvs.length === 0) break;
    start = Buffer.concat([res.kvs[res.kvs.length - 1]!.key, Buffer.from([0])]);
  }
  return sortedRecord(counts);
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
