import { captureCompanions, parseCompanionSettings, type CompanionSettings } from '../etcd/companions.js';
import { parseControlPlane, type ControlPlaneAccess } from '../etcd/ssh-settings.js';
import { InputError } from '../errors.js';
import { parseChoice, parseDuration, parseKeyValues, requireInput, type InputSource } from '../inputs.js';
import { markdownTable } from '../markdown.js';
import type { Reporter, RunContext } from '../report.js';
import type { MemberPreference } from '../etcd/members.js';
import { parseConnection } from '../etcd/settings.js';
import { parsePortForwardSettings } from '../etcd/via-kubernetes-settings.js';
import {
  parseQuiesceSettings,
  QUIESCE_STATE,
  startApiServers,
  withApiServersStopped,
} from '../etcd/quiesce.js';
import { takeSnapshot, type SnapshotSettings } from '../etcd/snapshot.js';
import { withGithubServices } from '../github/services.js';
import { applyRetention } from '../store/catalog.js';
import { openStore } from '../store/open.js';
import { parseRetention, type RetentionPolicy } from '../store/retention.js';
import type { BackupStore } from '../store/store.js';
import { parseStoreSettings } from '../store/settings.js';

export function parseMember(value: string): MemberPreference {
  if (value === '' || value === 'leader') return { kind: 'leader' };
  if (value === 'any') return { kind: 'any' };
  if (!/^[\w.-]+$/.test(value)) throw new InputError('member', value, 'leader, any, or a member name');
  return { kind: 'named', name: value };
}

/** Every input, validated before any connection is made. */
export function parseSnapshotSettings(
  inputs: InputSource,
  secret: (v: string) => void,
): SnapshotSettings & {
  retention?: RetentionPolicy;
  companions?: CompanionSettings;
  controlPlane?: ControlPlaneAccess;
} {
  const connect = parseChoice(
    'connect',
    inputs.get('connect'),
    ['direct', 'port-forward'] as const,
    'direct',
  );
  if (connect === 'direct') requireInput(inputs, 'endpoints');
  requireInput(inputs, 'destination');
  const connection = parseConnection(inputs, secret, connect === 'port-forward');
  const portForward = connect === 'port-forward' ? parsePortForwardSettings(inputs, secret) : undefined;
  const clusterName = inputs.get('cluster-name') || 'default';
  if (!/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/i.test(clusterName)) {
    throw new InputError(
      'cluster-name',
      clusterName,
      'letters, digits, ".", "_" or "-" (it becomes part of object names)',
    );
  }
  const store = parseStoreSettings(inputs, secret);
  const verify = parseChoice('verify', inputs.get('verify'), ['hash', 'restore'] as const, 'hash');
  if (
    verify === 'restore' &&
    store.encryption.kind === 'recipients' &&
    store.decryption.kind !== 'identities'
  ) {
    throw new InputError(
      'decryption-identity',
      '',
      'an age identity matching encryption-recipients: verify: restore decrypts the snapshot',
    );
  }
  return {
    connection,
    portForward,
    member: parseMember(inputs.get('member')),
    store,
    retention: parseRetention('retention', inputs.get('retention')),
    clusterName,
    labels: parseKeyValues('labels', inputs.get('labels')),
    quiesce: parseQuiesceSettings(inputs, secret),
    companions: parseCompanionSettings(inputs, store),
    controlPlane: inputs.get('companion-files') ? parseControlPlane(inputs, secret) : undefined,
    verify,
    etcdBinDir: inputs.get('etcd-bin-dir') || undefined,
    timeoutMs: parseDuration('timeout', inputs.get('timeout'), 30 * 60_000),
  };
}

export async function run(inputs: InputSource, reporter: Reporter, context: RunContext): Promise<void> {
  const settings = parseSnapshotSettings(inputs, (v) => reporter.secret(v));
  const store = await openStore(
    settings.store.destination,
    withGithubServices(settings.store.options),
    reporter,
  );
  // The Kubernetes client and ssh2 load only for runs that use them: a plain snapshot starts faster
  // and smaller without them.
  const forwards = settings.portForward
    ? await reporter.group('Forward to the etcd pods through the Kubernetes API', async () => {
        const { openEtcdForwards } = await import('../etcd/via-kubernetes.js');
        return openEtcdForwards(settings.portForward!, reporter);
      })
    : undefined;
  if (forwards) {
    settings.connection.endpoints = forwards.endpoints;
    // Certificates given as inputs win over the Secret's.
    settings.connection.tls = { ...forwards.tls, ...definedOnly(settings.connection.tls) };
  }
  try {
    const companions = settings.companions
      ? (snapshotKey: string) =>
          reporter.group('Capture the companion files', async () => {
            const c = settings.controlPlane!;
            const { openSshSession } = await import('../etcd/ssh.js');
            const session = await openSshSession({ ...c.hosts[0]!, user: c.ssh.user }, c.ssh.credentials);
            try {
              return {
                companions: [
                  await captureCompanions(
                    session,
                    settings.companions!,
                    store,
                    settings.store,
                    snapshotKey,
                    reporter,
                  ),
                ],
              };
            } finally {
              await session.close();
            }
          })
      : undefined;
    let outageMs: number | undefined;
    let result;
    if (settings.quiesce) {
      const q = await withApiServersStopped(settings.quiesce, reporter, () =>
        takeSnapshot(settings, store, reporter, context),
      );
      result = q.result;
      outageMs = q.outageMs;
      reporter.setOutput('quiesce-outage-seconds', (outageMs / 1000).toFixed(1));
    } else {
      result = await takeSnapshot(settings, store, reporter, context, companions);
    }
    const m = result.manifest;
    const outputs: Record<string, string> = {
      'snapshot-uri': result.snapshotUri,
      'manifest-uri': result.manifestUri,
      sha256: m.sha256,
      'stored-sha256': m.storedSha256,
      revision: String(m.revision),
      'size-bytes': String(m.rawSizeBytes),
      member: m.member.name,
      'etcd-version': m.etcdVersion,
    };
    if (settings.store.presignExpirySeconds !== undefined) {
      outputs['presigned-url'] = await presignedUrl(
        store,
        m.snapshotKey,
        settings.store.presignExpirySeconds,
        reporter,
      );
    }
    for (const [k, v] of Object.entries(outputs)) reporter.setOutput(k, v);
    const notes: string[] = [];
    if (m.encryption.kind === 'none') {
      notes.push(
        '> [!WARNING]\n> This snapshot is **not encrypted**: it holds every Secret of the cluster in plain text. Set `encryption-key` or `encryption-recipients`.',
      );
    }
    reporter.summary(
      [
        `### etcd snapshot of \`${m.cluster}\``,
        markdownTable(
          ['field', 'value'],
          [
            ['snapshot', result.snapshotUri],
            ['manifest', result.manifestUri],
            ['member', `${m.member.name} (${m.member.endpoint})`],
            ['etcd version', m.etcdVersion],
            [
              'revision',
              `${m.revision}${m.revisionExact ? '' : ' (approximate: writes landed during the stream)'}`,
            ],
            ['keys', m.keyCount],
            ['size', `${m.rawSizeBytes} bytes from etcd, ${m.storedSizeBytes} stored (${m.compression})`],
            ['sha256', m.sha256],
            ['stored sha256', m.storedSha256],
            [
              'verified',
              m.verify === 'restore' ? 'hashes, read-back and restore drill' : 'hashes and read-back',
            ],
            [
              'labels',
              Object.entries(m.labels)
                .map(([k, v]) => (v === 'true' ? k : `${k}=${v}`))
                .join(', ') || '-',
            ],
          ],
        ),
        ...notes,
      ].join('\n\n'),
    );
    if (settings.retention)
      await pruneAfterSnapshot(store, settings.clusterName, settings.retention, reporter);
  } finally {
    await forwards?.close();
    await store.close();
  }
}

async function presignedUrl(
  store: BackupStore,
  key: string,
  expirySeconds: number,
  reporter: Reporter,
): Promise<string> {
  if (!store.presign)
    throw new InputError(
      'presign-expiry',
      String(expirySeconds),
      `empty: ${store.rootUri} cannot presign URLs`,
    );
  const url = await store.presign(key, expirySeconds);
  reporter.secret(url);
  reporter.info(`presigned GET URL valid for ${expirySeconds} s: in the masked output presigned-url`);
  return url;
}

/** After the manifest: the snapshot is complete, so a failed prune warns instead of failing the backup. */
async function pruneAfterSnapshot(
  store: BackupStore,
  cluster: string,
  policy: RetentionPolicy,
  reporter: Reporter,
): Promise<void> {
  await reporter.group('Apply retention', async () => {
    try {
      const r = await applyRetention(store, cluster, policy, { dryRun: false, reporter });
      reporter.setOutput('pruned', String(r.deleted.length));
    } catch (err) {
      reporter.warn(`retention was not applied: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The post step: if the main step died with the API servers stopped, start them again. */
export async function post(
  inputs: InputSource,
  reporter: Reporter,
  state: Record<string, string>,
): Promise<void> {
  if (!state[QUIESCE_STATE.hosts] || state[QUIESCE_STATE.resumed] === 'true') return;
  const settings = parseQuiesceSettings(inputs, (v) => reporter.secret(v));
  if (!settings) return;
  reporter.warn('the snapshot step ended with the API servers stopped; starting them again');
  await startApiServers(settings, reporter);
}
