import { InputError } from '../errors.js';
import {
  parseBool,
  parseChoice,
  parseDuration,
  parseInteger,
  requireInput,
  type InputSource,
} from '../inputs.js';
import type { Reporter, RunContext } from '../report.js';
import { parseMemberSpecs, validateDataDir } from '../etcd/restore-members.js';
import { defaultHooks, type BumpSetting, type RestoreHooks } from '../etcd/restore-plan.js';
import { restoreEtcd, type RestoreSettings } from '../etcd/restore.js';
import { parseConnection } from '../etcd/settings.js';
import { openSshSession, type OpenSshSession } from '../etcd/ssh.js';
import { parseSshSettings, type SshSettings } from '../etcd/ssh-settings.js';
import { parseObjectUri } from '../store/destination.js';
import { parseStoreSettings } from '../store/settings.js';

function parseBump(value: string): BumpSetting {
  if (value === '' || value === 'auto') return 'auto';
  return parseInteger('bump-revision', value, 0, 0, 1e15);
}

function parseHooks(inputs: InputSource): RestoreHooks {
  const d = defaultHooks();
  return {
    stopApiserver: inputs.get('stop-apiserver-command') || d.stopApiserver,
    startApiserver: inputs.get('start-apiserver-command') || d.startApiserver,
    stopEtcd: inputs.get('stop-etcd-command') || d.stopEtcd,
    startEtcd: inputs.get('start-etcd-command') || d.startEtcd,
  };
}

/** Every input, validated before anything is fetched or any member is contacted. */
export function parseRestoreSettings(
  inputs: InputSource,
  secret: (v: string) => void,
): { settings: RestoreSettings; ssh?: SshSettings } {
  const snapshotUri = requireInput(inputs, 'snapshot');
  const { destination, key } = parseObjectUri('snapshot', snapshotUri);
  const mode = parseChoice('mode', inputs.get('mode'), ['plan', 'execute'] as const, 'plan');
  const membersValue = inputs.get('members');
  // Validate the TLS and auth inputs now; the endpoints may only be known from the manifest.
  const explicitEndpoints = inputs.get('endpoints');
  const connectionFrom = (endpoints: string[]) =>
    parseConnection(
      { get: (n) => (n === 'endpoints' ? explicitEndpoints || endpoints.join(',') : inputs.get(n)) },
      secret,
    );
  if (explicitEndpoints) connectionFrom([]);
  else connectionFrom(['http://127.0.0.1:2379']);
  const settings: RestoreSettings = {
    snapshot: { destination, key, uri: snapshotUri },
    store: parseStoreSettings(inputs, secret, 'snapshot'),
    mode,
    memberSpecs: membersValue ? parseMemberSpecs('members', membersValue) : undefined,
    defaults: {
      dataDir: validateDataDir('data-dir', inputs.get('data-dir') || '/var/lib/etcd'),
      sshPort: parseInteger('ssh-port', inputs.get('ssh-port'), 22, 1, 65535),
    },
    hooks: parseHooks(inputs),
    clusterToken: inputs.get('initial-cluster-token') || undefined,
    bumpRevision: parseBump(inputs.get('bump-revision')),
    etcdVersion: inputs.get('etcd-version') || undefined,
    memberBinDir: inputs.get('member-etcd-bin-dir')
      ? validateDataDir('member-etcd-bin-dir', inputs.get('member-etcd-bin-dir'))
      : '',
    etcdctlFlags: inputs.get('member-etcdctl-flags'),
    force: parseBool('force', inputs.get('force')),
    planDir: inputs.get('plan-dir') || 'etcd-restore-plan',
    connection: connectionFrom,
    stepTimeoutMs: parseDuration('step-timeout', inputs.get('step-timeout'), 10 * 60_000),
    healthTimeoutMs: parseDuration('health-timeout', inputs.get('health-timeout'), 5 * 60_000),
  };
  if (settings.clusterToken && !/^[\w.-]+$/.test(settings.clusterToken)) {
    throw new InputError('initial-cluster-token', settings.clusterToken, 'letters, digits, ".", "_" or "-"');
  }
  if (settings.etcdVersion && !/^v?\d+\.\d+\.\d+$/.test(settings.etcdVersion)) {
    throw new InputError('etcd-version', settings.etcdVersion, 'a version such as 3.5.21');
  }
  return { settings, ssh: mode === 'execute' ? parseSshSettings(inputs, secret) : undefined };
}

export async function run(inputs: InputSource, reporter: Reporter, _context: RunContext): Promise<void> {
  const { settings, ssh } = parseRestoreSettings(inputs, (v) => reporter.secret(v));
  const open: OpenSshSession = async (at) => {
    if (!ssh)
      throw new InputError(
        'mode',
        settings.mode,
        'execute, with ssh-private-key and ssh-known-hosts, to run the plan over SSH',
      );
    return openSshSession({ ...at, user: ssh.user }, ssh.credentials);
  };
  await restoreEtcd(settings, reporter, { openSession: open });
}
