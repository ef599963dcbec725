import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { RecordingReporter } from '../../src/report.js';
import { applyRetention, setPinned } from '../../src/store/catalog.js';
import { MANIFEST_SCHEMA, manifestKeyFor, type SnapshotManifest } from '../../src/store/manifest.js';
import type { BackupStore } from '../../src/store/store.js';

/** `total` bytes of pseudo-random data in 1 MiB chunks, and the SHA-256 it will have. */
export function randomStream(total: number, chunk = 1 << 20): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  let sent = 0;
  let digest = '';
  const stream = new Readable({
    read() {
      if (sent >= total) {
        digest = hash.digest('hex');
        this.push(null);
        return;
      }
      const b = randomBytes(Math.min(chunk, total - sent));
      sent += b.length;
      hash.update(b);
      this.push(b);
    },
  });
  return { stream, sha256: () => digest };
}

export async function sha256Of(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const c of stream) {
    h.update(c as Buffer);
    bytes += (c as Buffer).length;
  }
  return { sha256: h.digest('hex'), bytes };
}

export function fakeManifest(
  cluster: string,
  createdAt: string,
  labels: Record<string, string> = {},
): SnapshotManifest {
  const stamp = createdAt.replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return {
    schema: MANIFEST_SCHEMA,
    cluster,
    createdAt,
    snapshotKey: `${cluster}/${stamp}-rev1.db.zst`,
    etcdVersion: '3.4.23',
    member: { name: 'm1', id: '1', endpoint: 'http://127.0.0.1:2379' },
    members: [],
    revision: 1,
    revisionExact: true,
    keyCount: 0,
    keyCountsByPrefix: {},
    dbSizeBytes: 4,
    rawSizeBytes: 4,
    storedSizeBytes: 4,
    sha256: '0'.repeat(64),
    storedSha256: '0'.repeat(64),
    compression: 'zstd',
    encryption: { kind: 'none' },
    labels,
    verify: 'hash',
  };
}

export async function putSnapshot(store: BackupStore, m: SnapshotManifest): Promise<void> {
  await store.put(m.snapshotKey, Readable.from([Buffer.from('snap')]));
  await store.put(manifestKeyFor(m.snapshotKey), Readable.from([Buffer.from(JSON.stringify(m))]));
}

/**
 * Five daily snapshots of cluster `c1` (one pinned by a marker) and one of `c2`; count:2 on `c1` must
 * delete exactly the two oldest unpinned ones, snapshot and manifest both, and touch nothing of `c2`.
 */
export async function retentionRunLeaves(store: BackupStore): Promise<string[]> {
  const days = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05'];
  const ms = days.map((d) => fakeManifest('c1', `${d}T10:00:00.000Z`));
  for (const m of ms) await putSnapshot(store, m);
  await putSnapshot(store, fakeManifest('c2', '2025-01-01T10:00:00.000Z'));
  await setPinned(store, manifestKeyFor(ms[0]!.snapshotKey), true);
  const dry = await applyRetention(
    store,
    'c1',
    { kind: 'count', keep: 2 },
    { dryRun: true, reporter: new RecordingReporter(), now: new Date('2026-01-06T00:00:00Z') },
  );
  if (dry.deleted.length !== 2) throw new Error(`dry run selected ${dry.deleted.length}`);
  await applyRetention(
    store,
    'c1',
    { kind: 'count', keep: 2 },
    { dryRun: false, reporter: new RecordingReporter(), now: new Date('2026-01-06T00:00:00Z') },
  );
  return (await store.list('')).map((o) => o.key).sort();
}

export const RETENTION_SURVIVORS = [
  'c1/20260101T100000Z-rev1.db.zst',
  'c1/20260101T100000Z-rev1.json',
  'c1/20260101T100000Z-rev1.json.pin',
  'c1/20260104T100000Z-rev1.db.zst',
  'c1/20260104T100000Z-rev1.json',
  'c1/20260105T100000Z-rev1.db.zst',
  'c1/20260105T100000Z-rev1.json',
  'c2/20250101T100000Z-rev1.db.zst',
  'c2/20250101T100000Z-rev1.json',
];
