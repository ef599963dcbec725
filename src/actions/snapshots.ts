import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { InputError } from '../errors.js';
import { withGithubServices } from '../github/services.js';
import { parseBool, parseChoice, requireInput, type InputSource } from '../inputs.js';
import { markdownTable, textTable } from '../markdown.js';
import type { Reporter } from '../report.js';
import { readArchive } from '../store/archive.js';
import { applyRetention, loadCatalog, readManifest, setPinned, type CatalogEntry } from '../store/catalog.js';
import { parseDestination, parseObjectUri, type Destination } from '../store/destination.js';
import type { DecryptionSettings } from '../store/encryption.js';
import { manifestKeyFor, type SnapshotManifest } from '../store/manifest.js';
import { openStore } from '../store/open.js';
import { parseRetention, type RetentionPolicy } from '../store/retention.js';
import { parseDecryption, parseStoreOptions } from '../store/settings.js';
import type { BackupStore } from '../store/store.js';
import type { StoreOptions } from '../store/options.js';

const OPERATIONS = ['list', 'show', 'get', 'prune', 'pin', 'unpin'] as const;
type SnapshotsOperation = (typeof OPERATIONS)[number];

type Target =
  | { kind: 'store'; destination: Destination; cluster?: string }
  | { kind: 'snapshot'; destination: Destination; manifestKey: string };

export interface SnapshotsSettings {
  operation: SnapshotsOperation;
  target: Target;
  options: StoreOptions;
  decryption: DecryptionSettings;
  output?: string;
  retention?: RetentionPolicy;
  dryRun: boolean;
}

const CLUSTER = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/i;

/** The object URI of a snapshot or of its manifest -> the store and the manifest's key. */
function snapshotTarget(inputs: InputSource): Target {
  const uri = requireInput(inputs, 'uri');
  const { destination, key } = parseObjectUri('uri', uri);
  return { kind: 'snapshot', destination, manifestKey: key.endsWith('.json') ? key : manifestKeyFor(key) };
}

function storeTarget(inputs: InputSource): Target {
  const raw = inputs.get('uri') || inputs.get('destination');
  if (raw === '')
    throw new InputError(
      'destination',
      '',
      'the store to read, e.g. s3://bucket/prefix (or give it as the uri argument)',
    );
  const cluster = inputs.get('cluster-name') || undefined;
  if (cluster !== undefined && !CLUSTER.test(cluster))
    throw new InputError('cluster-name', cluster, 'letters, digits, ".", "_" or "-"');
  return {
    kind: 'store',
    destination: parseDestination(inputs.get('uri') ? 'uri' : 'destination', raw),
    cluster,
  };
}

/** Every input, validated before the store is opened. */
export function parseSnapshotsSettings(inputs: InputSource, secret: (v: string) => void): SnapshotsSettings {
  const operation = parseChoice('operation', requireInput(inputs, 'operation'), OPERATIONS, 'list');
  const target = ['list', 'prune'].includes(operation) ? storeTarget(inputs) : snapshotTarget(inputs);
  const retention = parseRetention('retention', inputs.get('retention'));
  if (operation === 'prune' && !retention)
    throw new InputError(
      'retention',
      '',
      'a policy for prune: count:N, age:30d, or hourly:24,daily:7,weekly:4,monthly:6',
    );
  const output = inputs.get('output') || undefined;
  if (operation === 'get' && !output)
    throw new InputError('output', '', 'the file to write the restored snapshot to');
  return {
    operation,
    target,
    options: parseStoreOptions(target.destination, inputs, secret),
    decryption: parseDecryption(inputs, secret),
    output: output && path.resolve(output),
    retention,
    dryRun: parseBool('dry-run', inputs.get('dry-run'), false),
  };
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? '-' : `${(bytes / 1048576).toFixed(1)} MiB`;
}

function labelText(m: SnapshotManifest): string {
  return (
    Object.entries(m.labels)
      .map(([k, v]) => (v === 'true' ? k : `${k}=${v}`))
      .join(',') || '-'
  );
}

export function listRows(entries: CatalogEntry[], store: BackupStore): string[][] {
  return entries.map((e) => [
    e.manifest.createdAt,
    e.manifest.cluster,
    String(e.manifest.revision),
    mib(e.manifest.rawSizeBytes) + (e.object ? '' : ' (object missing)'),
    labelText(e.manifest),
    e.pinned ? `yes (${e.pinnedBy})` : 'no',
    e.manifest.encryption.kind === 'none' ? 'no' : e.manifest.encryption.kind,
    store.uriFor(e.manifest.snapshotKey),
  ]);
}

const LIST_HEADER = ['time', 'cluster', 'revision', 'size', 'labels', 'pinned', 'encrypted', 'uri'];

async function list(store: BackupStore, cluster: string | undefined, reporter: Reporter): Promise<void> {
  const { entries, incomplete } = await loadCatalog(store, cluster ? `${cluster}/` : '');
  const rows = listRows(entries, store);
  reporter.info(rows.length ? textTable(LIST_HEADER, rows) : `no snapshots in ${store.rootUri}`);
  for (const o of incomplete)
    reporter.warn(
      `incomplete: ${store.uriFor(o.key)} has no manifest (a run that failed, or a prune cut short)`,
    );
  reporter.setOutput('count', String(entries.length));
  reporter.setOutput(
    'snapshots',
    JSON.stringify(
      entries.map((e) => ({
        uri: store.uriFor(e.manifest.snapshotKey),
        manifestUri: store.uriFor(e.manifestKey),
        createdAt: e.manifest.createdAt,
        revision: e.manifest.revision,
        pinned: e.pinned,
      })),
    ),
  );
  reporter.summary(
    [`### Snapshots in \`${store.rootUri}\``, rows.length ? markdownTable(LIST_HEADER, rows) : '_none_'].join(
      '\n\n',
    ),
  );
}

/** The decryption to use for this manifest: none when it is not encrypted, else the one given (required). */
export function decryptionFor(manifest: SnapshotManifest, given: DecryptionSettings): DecryptionSettings {
  if (manifest.encryption.kind === 'none') return { kind: 'none' };
  if (manifest.encryption.kind === 'age-passphrase' && given.kind !== 'passphrase')
    throw new InputError(
      'encryption-key',
      '',
      'the passphrase this snapshot was encrypted with (its manifest says age-passphrase)',
    );
  if (manifest.encryption.kind === 'age-x25519' && given.kind !== 'identities')
    throw new InputError(
      'decryption-identity',
      '',
      `an age identity for one of the recipients ${(manifest.encryption.recipients ?? []).join(', ')}`,
    );
  return given;
}

/**
 * A manifest and its snapshot are siblings (manifestKeyFor only changes the file name), and a store
 * opened from an object URI is rooted at the object's folder: find the snapshot next to the manifest.
 */
export function siblingSnapshotKey(manifestKey: string, m: SnapshotManifest): string {
  const dir = path.posix.dirname(manifestKey);
  const file = path.posix.basename(m.snapshotKey);
  return dir === '.' ? file : `${dir}/${file}`;
}

/** Fetches, decrypts, decompresses and verifies both hashes; FILE appears only once all of it passed. */
async function get(
  store: BackupStore,
  manifestKey: string,
  settings: SnapshotsSettings,
  reporter: Reporter,
): Promise<void> {
  const m = await readManifest(store, manifestKey);
  const snapshotKey = siblingSnapshotKey(manifestKey, m);
  const decryption = decryptionFor(m, settings.decryption);
  const output = settings.output!;
  const temp = path.join(
    path.dirname(output),
    `.${path.basename(output)}.partial-${randomBytes(4).toString('hex')}`,
  );
  const progress = reporter.progress('download', m.storedSizeBytes);
  try {
    await readArchive(
      store,
      snapshotKey,
      {
        compression: m.compression,
        decryption,
        expected: {
          rawSha256: m.sha256,
          storedSha256: m.storedSha256,
          rawBytes: m.rawSizeBytes,
          storedBytes: m.storedSizeBytes,
        },
        onStoredBytes: (n) => progress.add(n),
      },
      createWriteStream(temp, { flags: 'wx', mode: 0o600 }),
    );
    progress.done();
    await rename(temp, output);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  reporter.info(
    `wrote ${output}: ${m.rawSizeBytes} bytes, SHA-256 ${m.sha256} (stored ${m.storedSha256}) verified`,
  );
  reporter.setOutput('path', output);
  reporter.setOutput('sha256', m.sha256);
  reporter.setOutput('revision', String(m.revision));
}

async function prune(
  store: BackupStore,
  settings: SnapshotsSettings & { target: { kind: 'store' } },
  reporter: Reporter,
): Promise<void> {
  const clusters = settings.target.cluster
    ? [settings.target.cluster]
    : [...new Set((await loadCatalog(store)).entries.map((e) => e.manifest.cluster))].sort();
  const deleted: string[] = [];
  for (const cluster of clusters) {
    const r = await applyRetention(store, cluster, settings.retention!, {
      dryRun: settings.dryRun,
      reporter,
    });
    deleted.push(...r.deleted.map((e) => store.uriFor(e.manifest.snapshotKey)));
  }
  reporter.setOutput('deleted', JSON.stringify(deleted));
  reporter.setOutput('count', String(deleted.length));
  reporter.summary(
    `### Retention ${settings.dryRun ? '(dry run) ' : ''}on \`${store.rootUri}\`\n\n` +
      (deleted.length
        ? `${settings.dryRun ? 'Would delete' : 'Deleted'}:\n${deleted.map((u) => `- ${u}`).join('\n')}`
        : 'Nothing to delete.'),
  );
}

export async function run(inputs: InputSource, reporter: Reporter): Promise<void> {
  const settings = parseSnapshotsSettings(inputs, (v) => reporter.secret(v));
  const store = await openStore(settings.target.destination, withGithubServices(settings.options), reporter);
  try {
    const t = settings.target;
    if (t.kind === 'store') {
      if (settings.operation === 'list') await list(store, t.cluster, reporter);
      else await prune(store, { ...settings, target: t }, reporter);
      return;
    }
    switch (settings.operation) {
      case 'show': {
        const m = await readManifest(store, t.manifestKey);
        reporter.info(JSON.stringify(m, null, 2));
        reporter.setOutput('manifest', JSON.stringify(m));
        break;
      }
      case 'get':
        await get(store, t.manifestKey, settings, reporter);
        break;
      case 'pin':
      case 'unpin':
        await setPinned(store, t.manifestKey, settings.operation === 'pin');
        reporter.info(
          `${settings.operation === 'pin' ? 'pinned' : 'unpinned'} ${store.uriFor(t.manifestKey)}`,
        );
        break;
    }
  } finally {
    await store.close();
  }
}
