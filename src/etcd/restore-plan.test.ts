import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PreconditionFailed } from '../errors.js';
import type { RestoreMember } from './restore-members.js';
import {
  STEPS,
  buildRestorePlan,
  chooseMemberTool,
  defaultHooks,
  stepCommand,
  toolForVersion,
  type RestorePlanInput,
} from './restore-plan.js';

const SHA = 'ab'.repeat(32);
const members: RestoreMember[] = [
  {
    name: 'cp1',
    peerUrls: ['https://10.0.0.10:2380'],
    clientUrls: ['https://10.0.0.10:2379'],
    ssh: { host: '10.0.0.10', port: 22 },
    dataDir: '/var/lib/etcd',
  },
  {
    name: 'cp2',
    peerUrls: ['https://10.0.0.11:2380'],
    clientUrls: ['https://10.0.0.11:2379'],
    ssh: { host: '10.0.0.11', port: 22 },
    dataDir: '/var/lib/etcd',
  },
];

function input(version: string, overrides: Partial<RestorePlanInput> = {}): RestorePlanInput {
  const tool = toolForVersion(version, '', 'auto');
  return {
    snapshot: {
      uri: 's3://b/prod/20261201T000000Z-rev42.db.zst',
      sha256: SHA,
      revision: 42,
      cluster: 'prod',
      etcdVersion: version,
      createdAt: '2026-12-01T00:00:00.000Z',
    },
    members,
    tools: { cp1: tool, cp2: tool },
    hooks: defaultHooks(),
    clusterToken: 'kubesafe-prod-1',
    stamp: '20261201T010203Z',
    force: false,
    etcdctl: 'etcdctl',
    etcdctlFlags: '',
    healthTimeoutSeconds: 60,
    ...overrides,
  };
}

const body = (plan: ReturnType<typeof buildRestorePlan>, member: number, step: string) =>
  plan.members[member]!.steps.find((s) => s.name === step)!.body;

describe('restore plan', () => {
  it('restores etcd 3.4 with etcdctl, without revision bump flags', () => {
    const plan = buildRestorePlan(input('3.4.23'));
    expect(body(plan, 1, 'restore')).toBe(
      [
        'ETCDCTL_API=3 etcdctl snapshot restore /var/lib/etcd.kubesafe-snapshot-abababababab.db --name=cp2 ' +
          '--initial-cluster=cp1=https://10.0.0.10:2380,cp2=https://10.0.0.11:2380 --initial-cluster-token=kubesafe-prod-1 ' +
          '--initial-advertise-peer-urls=https://10.0.0.11:2380 --data-dir=/var/lib/etcd',
        `printf '%s\\n' snapshot=${SHA} uri=s3://b/prod/20261201T000000Z-rev42.db.zst restored-at=20261201T010203Z previous-data-dir=/var/lib/etcd.kubesafe-before-20261201T010203Z > /var/lib/etcd.kubesafe-restored-abababababab`,
        'rm -f /var/lib/etcd.kubesafe-snapshot-abababababab.db',
      ].join('\n'),
    );
  });

  it('restores etcd 3.6 with etcdutl, bumping revisions and marking them compacted', () => {
    const plan = buildRestorePlan(input('3.6.16'));
    expect(body(plan, 0, 'restore').split('\n')[0]).toBe(
      'etcdutl snapshot restore /var/lib/etcd.kubesafe-snapshot-abababababab.db --name=cp1 ' +
        '--initial-cluster=cp1=https://10.0.0.10:2380,cp2=https://10.0.0.11:2380 --initial-cluster-token=kubesafe-prod-1 ' +
        '--initial-advertise-peer-urls=https://10.0.0.10:2380 --data-dir=/var/lib/etcd --bump-revision=1000000000 --mark-compacted',
    );
  });

  it('uses etcdutl without bump flags before 3.5.10, and refuses an explicit bump there', () => {
    expect(toolForVersion('3.5.9', '', 'auto')).toEqual({
      kind: 'etcdutl',
      path: 'etcdutl',
      version: '3.5.9',
      bumpRevision: 0,
    });
    expect(toolForVersion('3.5.10', '/opt/etcd', 'auto')).toEqual({
      kind: 'etcdutl',
      path: '/opt/etcd/etcdutl',
      version: '3.5.10',
      bumpRevision: 1e9,
    });
    expect(() => toolForVersion('3.4.23', '', 5000)).toThrow(PreconditionFailed);
    expect(toolForVersion('3.6.0', '', 0).bumpRevision).toBe(0);
  });

  it('moves the data dir aside, never deletes it, and refuses a second restore without force', () => {
    const plan = buildRestorePlan(input('3.6.16'));
    expect(body(plan, 0, 'move-aside')).toContain(
      'mv /var/lib/etcd /var/lib/etcd.kubesafe-before-20261201T010203Z',
    );
    expect(plan.members[0]!.script).not.toMatch(/rm -rf|rm -r /);
    expect(body(plan, 0, 'check')).toContain('if [ -e /var/lib/etcd.kubesafe-restored-abababababab ]; then');
    expect(body(plan, 0, 'check')).toContain('exit 3');
    const forced = buildRestorePlan(input('3.6.16', { force: true }));
    expect(body(forced, 0, 'check').split('\n')[0]).not.toContain('exit');
  });

  it('defaults to moving the kubeadm static pod manifests with bounded waits', () => {
    const plan = buildRestorePlan(input('3.6.16'));
    expect(body(plan, 0, 'stop-apiserver')).toContain(
      'mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/kubesafe-stopped/kube-apiserver.yaml',
    );
    expect(body(plan, 0, 'stop-apiserver')).toContain(`crictl ps -q --name '^kube-apiserver$'`);
    expect(body(plan, 0, 'start-etcd')).toContain(
      'mv /etc/kubernetes/kubesafe-stopped/etcd.yaml /etc/kubernetes/manifests/etcd.yaml',
    );
    expect(body(plan, 0, 'start-apiserver')).toContain('-ge 150 ]'); // 300 s in 2 s steps
  });

  it('writes one script per member with every step in order, valid sh', () => {
    const plan = buildRestorePlan(
      input('3.4.23', {
        hooks: {
          stopApiserver: 'echo stop-api',
          startApiserver: 'echo start-api',
          stopEtcd: 'systemctl stop etcd',
          startEtcd: 'systemctl start --no-block etcd',
        },
      }),
    );
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-plan-test-'));
    for (const m of plan.members) {
      const script = m.script;
      const positions = STEPS.map((s) => script.indexOf(`step_${s.replace(/-/g, '_')}() {`));
      expect(positions.every((p, i) => p > 0 && (i === 0 || p > positions[i - 1]!))).toBe(true);
      expect(script).toContain(`KUBESAFE_MEMBER=${m.member.name}; export KUBESAFE_MEMBER`);
      const file = path.join(dir, `restore-${m.member.name}.sh`);
      writeFileSync(file, script);
      execFileSync('sh', ['-n', file]);
      // Without a step it only prints its usage.
      expect(() => execFileSync('sh', [file], { stdio: 'pipe' })).toThrow(
        /usage: sh .* check verify-snapshot stop-apiserver/,
      );
    }
    expect(stepCommand(plan.members[0]!, plan.members[0]!.steps[2]!)).toBe(
      `sh -c 'set -eu\nKUBESAFE_MEMBER=cp1; export KUBESAFE_MEMBER\nKUBESAFE_DATA_DIR=/var/lib/etcd; export KUBESAFE_DATA_DIR\nKUBESAFE_PEER_URLS=https://10.0.0.10:2380; export KUBESAFE_PEER_URLS\nKUBESAFE_CLIENT_URLS=https://10.0.0.10:2379; export KUBESAFE_CLIENT_URLS\necho stop-api'`,
    );
  });
});

describe('restore tool on a member', () => {
  it('prefers etcdutl, falls back to etcdctl 3.4, refuses etcdctl 3.6 alone', () => {
    expect(
      chooseMemberTool(
        'm1',
        'etcdutl /opt/etcdutl etcdutl version: 3.6.16\netcdctl /usr/bin/etcdctl etcdctl version: 3.4.23\n',
        'auto',
      ),
    ).toEqual({
      kind: 'etcdutl',
      path: '/opt/etcdutl',
      version: '3.6.16',
      bumpRevision: 1e9,
    });
    expect(chooseMemberTool('m1', 'etcdctl /usr/bin/etcdctl etcdctl version: 3.4.23\n', 'auto')).toEqual({
      kind: 'etcdctl',
      path: '/usr/bin/etcdctl',
      version: '3.4.23',
      bumpRevision: 0,
    });
    expect(() => chooseMemberTool('m1', 'etcdctl /usr/bin/etcdctl etcdctl version: 3.6.1\n', 'auto')).toThrow(
      /m1: no restore tool.*etcdctl 3\.6\.1 at \/usr\/bin\/etcdctl/,
    );
    expect(() => chooseMemberTool('m1', '', 'auto')).toThrow(/found neither/);
  });
});
