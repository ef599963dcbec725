import { InputError } from '../errors.js';
import { parseChoice, parseDuration, parseKeyValues, requireInput, type InputSource } from '../inputs.js';
import { markdownTable } from '../markdown.js';
import type { Reporter, RunContext } from '../report.js';
import type { MemberPreference } from '../etcd/members.js';
import { parseConnection } from '../etcd/settings.js';
import { takeSnapshot, type SnapshotSettings } from '../etcd/snapshot.js';
import { openStore } from '../store/open.js';
import { parseStoreSettings } from '../store/settings.js';

export function parseMember(value: string): MemberPreference {
  if (value === '' || value === 'leader') return { kind: 'leader' };
  if (value === 'any') return { kind: 'any' };
  if (!/^[\w.-]+$/.test(value)) throw new InputError('member', value, 'leader, any, or a member name');
  return { kind: 'named', name: value };
}

/** Every input, validated before any connection is made. */
export function parseSnapshotSettings(inputs: InputSource, secret: (v: string) => void): SnapshotSettings {
  requireInput(inputs, 'endpoints');
  requireInput(inputs, 'destination');
  const connection = parseConnection(inputs, secret);
  const clusterName = inputs.get('cluster-name') || 'default';
  if (!/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/i.test(clusterName)) {
    throw new InputError(
      'cluster-name',
      clusterName,
      'letters, digits, ".", "_" or "-" (it becomes part of object names)',
    );
  }
  return {
    connection,
    member: parseMember(inputs.get('member')),
    store: parseStoreSettings(inputs, secret),
    clusterName,
    labels: parseKeyValues('labels', inputs.get('labels')),
    verify: parseChoice('verify', inputs.get('verify'), ['hash', 'restore'] as const, 'hash'),
    etcdBinDir: inputs.get('etcd-bin-dir') || undefined,
    timeoutMs: parseDuration('timeout', inputs.get('timeout'), 30 * 60_000),
  };
}

export async function run(inputs: InputSource, reporter: Reporter, context: RunContext): Promise<void> {
  const settings = parseSnapshotSettings(inputs, (v) => reporter.secret(v));
  const store = await openStore(settings.store.destination, settings.store.options, reporter);
  try {
    const result = await takeSnapshot(settings, store, reporter, context);
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
  } finally {
    await store.close();
  }
}
