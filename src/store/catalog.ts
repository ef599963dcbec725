import { Readable } from 'node:stream';
import { StoreError, errorMessage } from '../errors.js';
import type { Reporter } from '../report.js';
import { isManifest, type SnapshotManifest } from './manifest.js';
import { describeRetention, selectForDeletion, type RetentionPolicy } from './retention.js';
import type { BackupStore, StoredObject } from './store.js';

/**
 * The snapshots in a store, as their manifests describe them.
 *
 * Pinning: `pin` writes a small marker object `<manifest>.pin` beside the manifest rather than rewriting
 * the manifest, so the manifest (the record of what was proven at upload) is never modified after it is
 * written, and unpinning is just deleting the marker. A manifest label `pinned` (set at snapshot time,
 * e.g. `labels: pinned,pre-change`) pins as well and cannot be undone by `unpin`.
 */
export interface CatalogEntry {
  manifestKey: string;
  manifest: SnapshotManifest;
  /** The snapshot object, when it exists. */
  object?: StoredObject;
  pinned: boolean;
  pinnedBy?: 'label' | 'marker';
}

export interface Catalog {
  entries: CatalogEntry[];
  /** Snapshot objects without a manifest: runs that failed before completing, or a prune cut short. */
  incomplete: StoredObject[];
}

export function pinKeyFor(manifestKey: string): string {
  return `${manifestKey}.pin`;
}

async function readText(store: BackupStore, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await store.get(key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function readManifest(store: BackupStore, key: string): Promise<SnapshotManifest> {
  const text = await readText(store, key);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new StoreError(`${store.uriFor(key)}: not a JSON manifest (${errorMessage(err)})`);
  }
  if (!isManifest(value)) throw new StoreError(`${store.uriFor(key)}: not a kubesafe snapshot manifest`);
  return value;
}

/** Reads every manifest under `prefix` (a cluster name followed by `/`, or '' for all). */
export async function loadCatalog(store: BackupStore, prefix = ''): Promise<Catalog> {
  const objects = await store.list(prefix);
  const byKey = new Map(objects.map((o) => [o.key, o]));
  const entries: CatalogEntry[] = [];
  const described = new Set<string>();
  for (const o of objects) {
    if (!o.key.endsWith('.json')) continue;
    let manifest: SnapshotManifest;
    try {
      manifest = await readManifest(store, o.key);
    } catch {
      continue; // another tool's JSON file: not ours to list or delete
    }
    described.add(manifest.snapshotKey);
    const byLabel = 'pinned' in manifest.labels && manifest.labels.pinned !== 'false';
    const byMarker = byKey.has(pinKeyFor(o.key));
    entries.push({
      manifestKey: o.key,
      manifest,
      object: byKey.get(manifest.snapshotKey),
      pinned: byLabel || byMarker,
      pinnedBy: byLabel ? 'label' : byMarker ? 'marker' : undefined,
    });
  }
  const incomplete = objects.filter((o) => /\.db(\.[a-z0-9]+)*$/.test(o.key) && !described.has(o.key));
  entries.sort((a, b) => b.manifest.createdAt.localeCompare(a.manifest.createdAt));
  return { entries, incomplete };
}

export async function setPinned(store: BackupStore, manifestKey: string, pinned: boolean): Promise<void> {
  await readManifest(store, manifestKey); // refuse to pin what is not a snapshot
  if (pinned) {
    const marker = JSON.stringify({ pinnedAt: new Date().toISOString() }) + '\n';
    await store.put(pinKeyFor(manifestKey), Readable.from([Buffer.from(marker)]), {
      contentType: 'application/json',
    });
  } else await store.delete(pinKeyFor(manifestKey));
}

/**
 * Deletes one snapshot, manifest first. The manifest is what makes a snapshot restorable (it is written
 * last and carries the hashes), so a prune interrupted between the two deletes leaves a snapshot object
 * without a manifest: listed as incomplete, never offered for restore, and removed by the next prune.
 * The other order could leave a manifest pointing at nothing, which looks restorable and is not.
 */
export async function deleteSnapshot(store: BackupStore, entry: CatalogEntry): Promise<void> {
  await store.delete(entry.manifestKey);
  await store.delete(entry.manifest.snapshotKey);
}

export interface RetentionRun {
  kept: { entry: CatalogEntry; reasons: string[] }[];
  deleted: CatalogEntry[];
  incompleteDeleted: StoredObject[];
  dryRun: boolean;
}

/** Objects without a manifest younger than this may still be in the middle of a run: left alone. */
const INCOMPLETE_GRACE_MS = 24 * 3_600_000;

/** Applies `policy` to the snapshots of one cluster (key prefix `cluster/`), key by key. */
export async function applyRetention(
  store: BackupStore,
  cluster: string,
  policy: RetentionPolicy,
  options: { dryRun: boolean; now?: Date; reporter: Reporter },
): Promise<RetentionRun> {
  const now = options.now ?? new Date();
  const { entries, incomplete } = await loadCatalog(store, `${cluster}/`);
  const byId = new Map(entries.map((e) => [e.manifestKey, e]));
  const decision = selectForDeletion(
    entries.map((e) => ({ id: e.manifestKey, createdAt: new Date(e.manifest.createdAt), pinned: e.pinned })),
    policy,
    now,
  );
  const deleted = decision.delete.map((id) => byId.get(id)!);
  const stale = incomplete.filter((o) => now.getTime() - o.modified.getTime() > INCOMPLETE_GRACE_MS);
  const verb = options.dryRun ? 'would delete' : 'deleting';
  options.reporter.info(
    `retention for ${store.uriFor(cluster + '/')} (${describeRetention(policy)}): ${entries.length} snapshots, ` +
      `${deleted.length} to delete${stale.length ? `, ${stale.length} incomplete objects to remove` : ''}${options.dryRun ? ' (dry run)' : ''}`,
  );
  for (const e of deleted) {
    options.reporter.info(
      `${verb} ${store.uriFor(e.manifest.snapshotKey)} (${e.manifest.createdAt}, revision ${e.manifest.revision})`,
    );
    if (!options.dryRun) await deleteSnapshot(store, e);
  }
  for (const o of stale) {
    options.reporter.info(
      `${verb} incomplete ${store.uriFor(o.key)} (no manifest, ${o.modified.toISOString()})`,
    );
    if (!options.dryRun) await store.delete(o.key);
  }
  return {
    kept: decision.keep.map((k) => ({ entry: byId.get(k.id)!, reasons: k.reasons })),
    deleted,
    incompleteDeleted: stale,
    dryRun: options.dryRun,
  };
}
