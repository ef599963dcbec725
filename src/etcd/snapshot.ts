import { Readable } from 'node:stream';
import type { Etcd3 } from 'etcd3';
import { PreconditionFailed, IntegrityError, errorMessage } from '../errors.js';
import type { Reporter, RunContext } from '../report.js';
import { compressionSuffix, readArchive, verifyStoredObject, writeArchive } from '../store/archive.js';
import { MANIFEST_SCHEMA, manifestKeyFor, type SnapshotManifest } from '../store/manifest.js';
import { encryptionRecord } from '../store/encryption.js';
import type { StoreSettings } from '../store/settings.js';
import type { BackupStore } from '../store/store.js';
import { connectMember } from './client.js';
import { companionKeyFor } from './companions.js';
import { restoreDrill } from './drill.js';
import { countKeysByPrefix, diffCounts, totalKeys } from './key-counts.js';
import {
  chooseMember,
  probeMembers,
  probeTable,
  unusableClusterError,
  type MemberPreference,
  type MemberProbe,
} from './members.js';
import { readQuotaBytes } from './metrics.js';
import type { EtcdConnectionSettings } from './settings.js';
import type { PortForwardSettings } from './via-kubernetes.js';
import type { QuiesceSettings } from './quiesce.js';
import { SnapshotTrailerCheck, openSnapshotStream } from './snapshot-stream.js';

export interface SnapshotSettings {
  connection: EtcdConnectionSettings;
  portForward?: PortForwardSettings;
  quiesce?: QuiesceSettings;
  member: MemberPreference;
  store: StoreSettings;
  clusterName: string;
  labels: Record<string, string>;
  verify: 'hash' | 'restore';
  etcdBinDir?: string;
  timeoutMs: number;
}

export interface SnapshotResult {
  manifest: SnapshotManifest;
  snapshotUri: string;
  manifestUri: string;
  drill?: { counts: Record<string, number>; live: Record<string, number> };
  probes: MemberProbe[];
}

/** `20261201T204551Z`: sorts as time, safe in every store's key syntax. */
export function timestampForKey(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

export function snapshotKey(cluster: string, at: Date, revision: number, store: StoreSettings): string {
  const enc = store.encryption.kind === 'none' ? '' : '.age';
  return `${cluster}/${timestampForKey(at)}-rev${revision}.db${compressionSuffix(store.compression)}${enc}`;
}

const QUOTA_WARN_RATIO = 0.8;

function quotaWarnings(probe: MemberProbe, quotaBytes: number | undefined): string[] {
  const out: string[] = [];
  if (probe.alarms.includes('NOSPACE')) {
    out.push(
      `etcd raised the NOSPACE alarm on ${probe.name}: the cluster refuses writes until space is reclaimed (compact, defrag, disarm)`,
    );
  }
  if (quotaBytes && probe.dbSizeBytes && probe.dbSizeBytes > QUOTA_WARN_RATIO * quotaBytes) {
    out.push(
      `etcd database on ${probe.name} is ${(probe.dbSizeBytes / 1048576).toFixed(0)} MiB, ` +
        `${((probe.dbSizeBytes / quotaBytes) * 100).toFixed(0)}% of its ${(quotaBytes / 1048576).toFixed(0)} MiB quota`,
    );
  }
  return out;
}

async function status(client: Etcd3): Promise<number> {
  return Number((await client.maintenance.status()).header.revision);
}

/**
 * The pre-change snapshot: choose a healthy member, stream its snapshot through the archive pipeline
 * into the store, prove it, optionally drill a restore, and write the manifest last.
 */
export async function takeSnapshot(
  settings: SnapshotSettings,
  store: BackupStore,
  reporter: Reporter,
  context: RunContext,
  /** Runs after the snapshot is verified and before the manifest: whatever it returns is recorded too. */
  beforeManifest?: (snapshotKey: string) => Promise<Partial<SnapshotManifest>>,
): Promise<SnapshotResult> {
  const { probe, probes, members } = await reporter.group('Choose an etcd member', async () => {
    const { probes, members } = await probeMembers(settings.connection);
    reporter.info(probeTable(probes));
    const choice = chooseMember(probes, settings.member);
    if ('error' in choice) throw unusableClusterError(probes, choice.error);
    if (choice.warning) reporter.warn(choice.warning);
    for (const w of quotaWarnings(
      choice.probe,
      await readQuotaBytes(settings.connection, choice.probe.endpoint),
    ))
      reporter.warn(w);
    reporter.info(
      `streaming from ${choice.probe.name} (${choice.probe.endpoint}), etcd ${choice.probe.version}`,
    );
    return { probe: choice.probe, probes, members };
  });

  const client = connectMember(settings.connection, probe.endpoint, settings.timeoutMs);
  const startedAt = new Date();
  let key: string | undefined;
  try {
    const revBefore = await status(client);
    key = snapshotKey(settings.clusterName, startedAt, revBefore, settings.store);
    const objectKey = key;
    // Counted while the snapshot streams (keys only, at the revision the stream starts from): it hides
    // behind the transfer instead of adding to it.
    const countsAtStart = settings.verify === 'hash' ? countKeysByPrefix(client, revBefore) : undefined;
    countsAtStart?.catch(() => undefined);
    const archive = await reporter.group('Stream the snapshot', async () => {
      let progress: ReturnType<Reporter['progress']> | undefined;
      const source = await openSnapshotStream(
        settings.connection,
        probe.endpoint,
        settings.timeoutMs,
        (total) => (progress = reporter.progress('snapshot', total)),
      );
      const result = await writeArchive(source, store, objectKey, {
        compression: settings.store.compression,
        encryption: settings.store.encryption,
        sizeHint: probe.dbSizeBytes,
        rawHasher: new SnapshotTrailerCheck((n) => progress?.add(n)),
      });
      progress?.done();
      reporter.info(
        `stored ${store.uriFor(objectKey)}: ${result.rawBytes} bytes from etcd, ${result.storedBytes} stored`,
      );
      return result;
    });
    const revAfter = await status(client);

    const verified = await reporter.group('Verify', async () => {
      if (settings.store.verifyUpload) {
        const readBack = reporter.progress('read-back', archive.storedBytes);
        await verifyStoredObject(store, objectKey, archive.storedSha256, archive.storedBytes, (n) =>
          readBack.add(n),
        );
        readBack.done();
        reporter.info(`read back ${store.uriFor(objectKey)}: SHA-256 ${archive.storedSha256} matches`);
      }
      if (settings.verify === 'hash') {
        const counts = await countsAtStart!;
        return { counts, revision: revBefore, exact: revBefore === revAfter, drill: undefined };
      }
      const { drill, live } = await drillStoredSnapshot(
        store,
        objectKey,
        settings.store,
        archive,
        client,
        reporter,
        settings.etcdBinDir,
      );
      return {
        counts: drill.counts,
        revision: drill.revision,
        exact: true,
        drill: { counts: drill.counts, live },
      };
    });

    const manifest: SnapshotManifest = {
      schema: MANIFEST_SCHEMA,
      cluster: settings.clusterName,
      createdAt: startedAt.toISOString(),
      snapshotKey: objectKey,
      etcdVersion: probe.version ?? 'unknown',
      member: { name: probe.name ?? '', id: probe.memberId ?? '', endpoint: probe.endpoint },
      members: members.map((m) => ({
        name: m.name,
        id: m.id,
        peerUrls: m.peerUrls,
        clientUrls: m.clientUrls,
      })),
      revision: verified.revision,
      revisionExact: verified.exact,
      keyCount: totalKeys(verified.counts),
      keyCountsByPrefix: verified.counts,
      dbSizeBytes: archive.rawBytes - 32,
      rawSizeBytes: archive.rawBytes,
      storedSizeBytes: archive.storedBytes,
      sha256: archive.rawSha256,
      storedSha256: archive.storedSha256,
      compression: settings.store.compression,
      encryption: encryptionRecord(settings.store.encryption),
      labels: settings.labels,
      verify: settings.verify,
      run:
        context.runUrl || context.commit
          ? { url: context.runUrl, commit: context.commit, repository: context.repository }
          : undefined,
    };
    if (beforeManifest) Object.assign(manifest, await beforeManifest(objectKey));
    const manifestKey = manifestKeyFor(objectKey);
    await store.put(manifestKey, Readable.from([Buffer.from(JSON.stringify(manifest, null, 2) + '\n')]), {
      contentType: 'application/json',
    });
    return {
      manifest,
      snapshotUri: store.uriFor(objectKey),
      manifestUri: store.uriFor(manifestKey),
      drill: verified.drill,
      probes,
    };
  } catch (err) {
    // The manifest is written last, so without it nothing marks the object valid; remove it anyway.
    if (key) await store.delete(key).catch(() => undefined);
    if (key) await store.delete(companionKeyFor(key)).catch(() => undefined);
    throw err;
  } finally {
    client.close();
  }
}

/**
 * The restore drill on a stored object: the reverse pipeline (verifying both hashes) into a throwaway
 * etcd, whose key counts per prefix must equal the live cluster's at the snapshot's revision.
 */
export async function drillStoredSnapshot(
  store: BackupStore,
  key: string,
  storeSettings: Pick<StoreSettings, 'compression' | 'decryption'>,
  archive: { rawSha256: string; storedSha256: string; rawBytes: number },
  live: Etcd3,
  reporter: Reporter,
  etcdBinDir?: string,
): Promise<{ drill: { revision: number; counts: Record<string, number> }; live: Record<string, number> }> {
  const drill = await restoreDrill(
    (sink) =>
      readArchive(
        store,
        key,
        {
          compression: storeSettings.compression,
          decryption: storeSettings.decryption,
          expected: {
            rawSha256: archive.rawSha256,
            storedSha256: archive.storedSha256,
            rawBytes: archive.rawBytes,
          },
        },
        sink,
      ),
    etcdBinDir,
  );
  let liveCounts: Record<string, number>;
  try {
    liveCounts = await countKeysByPrefix(live, drill.revision);
  } catch (err) {
    throw new PreconditionFailed(
      `restore drill: cannot count the live keys at revision ${drill.revision} to compare: ${errorMessage(err)}`,
    );
  }
  reporter.info(countTable(liveCounts, drill.counts));
  const diff = diffCounts(liveCounts, drill.counts);
  if (diff.length > 0) {
    throw new IntegrityError(
      `restore drill: key counts differ from the live cluster at revision ${drill.revision}: ` +
        diff.map((d) => `${d.prefix} live ${d.expected}, restored ${d.actual}`).join('; '),
    );
  }
  reporter.info(
    `restore drill passed: ${totalKeys(drill.counts)} keys in ${Object.keys(drill.counts).length} prefixes`,
  );
  return { drill, live: liveCounts };
}

export function countTable(live: Record<string, number>, restored: Record<string, number>): string {
  const prefixes = [...new Set([...Object.keys(live), ...Object.keys(restored)])].sort();
  const lines = [
    'prefix | live | restored',
    ...prefixes.map(
      (p) =>
        `${p} | ${live[p] ?? 0} | ${restored[p] ?? 0}${(live[p] ?? 0) === (restored[p] ?? 0) ? '' : '  <- differs'}`,
    ),
  ];
  return lines.join('\n');
}
