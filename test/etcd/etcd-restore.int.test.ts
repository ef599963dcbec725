import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { run as restore } from '../../src/actions/etcd-restore.js';
import { run as snapshot } from '../../src/actions/etcd-snapshot.js';
import { IntegrityError, PreconditionFailed } from '../../src/errors.js';
import { inputsFrom } from '../../src/inputs.js';
import { RecordingReporter } from '../../src/report.js';
import type { SnapshotManifest } from '../../src/store/manifest.js';
import { etcdBinDir, fillKubernetesLike, startEtcdCluster, type EtcdCluster } from '../helpers/etcd.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';

/** 3.4 restores with etcdctl; 3.6 with etcdutl, which the cluster build puts beside etcd. */
function restorableVersions(): ('3.4' | '3.6')[] {
  const out: ('3.4' | '3.6')[] = [];
  if (etcdBinDir('3.4')) out.push('3.4');
  const dir36 = etcdBinDir('3.6');
  if (dir36 && existsSync(path.join(dir36, 'etcdutl'))) out.push('3.6');
  else
    console.warn(
      `etcd-restore: skipping etcd 3.6: no etcd and etcdutl in ${dir36 ?? '~/.cache/kubesafe/bin/etcd3.6'} yet (npm run cluster:build)`,
    );
  return out;
}

/** What the cluster holds (a linearizable read through one member). */
const clusterKeys = (clientUrl: string) => memberKeys(clientUrl, false);

/** What one member holds (a serializable read: its own copy, which may lag behind the cluster). */
async function memberKeys(clientUrl: string, serializable = true): Promise<Map<string, string>> {
  const c = new Etcd3({ hosts: [clientUrl] });
  try {
    const res = await c.kv.range({ key: Buffer.from([0]), range_end: Buffer.from([0]), serializable });
    return new Map(res.kvs.map((kv) => [kv.key.toString(), kv.value.toString()]));
  } finally {
    c.close();
  }
}

/** What a person would look at to see that a member was not touched: files beside and in the data dirs, and the etcd processes. */
function memberState(cluster: EtcdCluster): string {
  const walk = (dir: string, rel = ''): string[] =>
    readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
      const r = path.join(rel, e.name);
      return e.isDirectory() ? [r + '/', ...walk(dir, r)] : [r];
    });
  const beside = readdirSync(cluster.root)
    .filter((n) => !n.endsWith('.log'))
    .sort();
  const inside = cluster.members.map((m) => `${m.name}: ${walk(m.dataDir).sort().join(' ')}`);
  const pids = cluster.members.map((m) => `${m.name} pid ${readFileSync(m.pidFile!, 'utf8').trim()}`);
  return [...beside, ...inside, ...pids].join('\n');
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the restore to fail');
}

describe.each(restorableVersions())('etcd-restore over SSH on a three-member etcd %s', (version) => {
  let cluster: EtcdCluster;
  let sshd: Sshd;
  let work: string;
  let manifestUri: string;
  let manifest: SnapshotManifest;
  let atSnapshot: Map<string, string>;
  let runs = 0;

  const inputs = (extra: Record<string, string> = {}) =>
    inputsFrom({
      snapshot: manifestUri,
      mode: 'execute',
      members: cluster.members.map((m) => `${m.name}@127.0.0.1:${sshd.port}#${m.dataDir}`).join(','),
      'ssh-user': sshd.user,
      'ssh-private-key': sshd.privateKey,
      'ssh-known-hosts': sshd.knownHosts,
      'stop-apiserver-command': 'echo "no API server on $KUBESAFE_MEMBER in this test"',
      'start-apiserver-command': 'echo "no API server on $KUBESAFE_MEMBER in this test"',
      'stop-etcd-command': `sh ${cluster.root}/$KUBESAFE_MEMBER.stop.sh`,
      'start-etcd-command': `sh ${cluster.root}/$KUBESAFE_MEMBER.start.sh`,
      'member-etcd-bin-dir': cluster.binDir,
      'plan-dir': path.join(work, `plan-${++runs}`),
      'health-timeout': '60s',
      ...extra,
    });

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-restore-test-'));
    [cluster, sshd] = await Promise.all([startEtcdCluster({ size: 3, version, scripts: true }), startSshd()]);
    const client = cluster.client();
    try {
      await fillKubernetesLike(client, 300, 128);
      await client.put('app/config').value('v1');
      atSnapshot = await clusterKeys(cluster.endpoints[0]!);
      const rec = new RecordingReporter();
      await snapshot(
        inputsFrom({
          endpoints: cluster.endpoints.join(','),
          destination: path.join(work, 'store'),
          'cluster-name': 'test',
        }),
        rec,
        {},
      );
      manifestUri = rec.outputs['manifest-uri']!;
      manifest = JSON.parse(readFileSync(new URL(manifestUri), 'utf8')) as SnapshotManifest;
      // The failed change: new keys, changed keys, deleted keys.
      await client.put('/registry/pods/ns-0/after-snapshot').value('x');
      await client.put('app/config').value('v2');
      await client.delete().prefix('/registry/secrets/');
    } finally {
      client.close();
    }
  });

  afterAll(async () => {
    await Promise.all([cluster?.stop(), sshd?.stop()]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('plans without touching a member: one script per member and a summary', async () => {
    const before = memberState(cluster);
    const rec = new RecordingReporter();
    await restore(inputs({ mode: 'plan', 'ssh-private-key': '', 'ssh-known-hosts': '' }), rec, {});
    const dir = rec.outputs['plan-dir']!;
    const script = readFileSync(path.join(dir, 'restore-m2.sh'), 'utf8');
    const tool =
      version === '3.4'
        ? `ETCDCTL_API=3 ${cluster.binDir}/etcdctl snapshot restore`
        : `${cluster.binDir}/etcdutl snapshot restore`;
    expect(script).toContain(
      `${tool} ${cluster.members[1]!.dataDir}.kubesafe-snapshot-${manifest.sha256.slice(0, 12)}.db --name=m2`,
    );
    expect(script).toContain(
      `--initial-cluster=${cluster.members.map((m) => `${m.name}=${m.peerUrl}`).join(',')}`,
    );
    expect(rec.summaries.join('\n')).toContain('restore-MEMBER.sh');
    expect(memberState(cluster)).toBe(before);
  });

  it('refuses a tampered snapshot before touching any member', async () => {
    const store = path.join(work, 'tampered');
    cpSync(path.join(work, 'store'), store, { recursive: true });
    const object = path.join(store, manifest.snapshotKey);
    const bytes = readFileSync(object);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(object, bytes);
    const before = memberState(cluster);
    const err = await failure(
      restore(inputs({ snapshot: manifestUri.replace(`${work}/store`, store) }), new RecordingReporter(), {}),
    );
    expect(err).toBeInstanceOf(IntegrityError);
    // The zstd frame breaks before the stored hash is complete, or the hash differs: either way, refused.
    expect(err.message).toMatch(
      /SHA-256 .* does not match the manifest's|cannot be read back as the manifest describes/,
    );
    expect(memberState(cluster)).toBe(before);
    expect((await clusterKeys(cluster.endpoints[0]!)).get('app/config')).toBe('v2');
  });

  it('refuses a snapshot whose manifest hash does not match before touching any member', async () => {
    const store = path.join(work, 'wrong-hash');
    cpSync(path.join(work, 'store'), store, { recursive: true });
    const manifestFile = path.join(
      store,
      path.relative(path.join(work, 'store'), new URL(manifestUri).pathname),
    );
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, sha256: 'f'.repeat(64) }));
    const before = memberState(cluster);
    const err = await failure(
      restore(inputs({ snapshot: `file://${manifestFile}` }), new RecordingReporter(), {}),
    );
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toContain(`does not match the manifest's ${'f'.repeat(64)}`);
    expect(memberState(cluster)).toBe(before);
  });

  it('refuses a wrong decryption key before touching any member', async () => {
    const rec = new RecordingReporter();
    await snapshot(
      inputsFrom({
        endpoints: cluster.endpoints.join(','),
        destination: path.join(work, 'encrypted'),
        'cluster-name': 'test',
        'encryption-key': 'the right passphrase for this test',
      }),
      rec,
      {},
    );
    const before = memberState(cluster);
    const err = await failure(
      restore(
        inputs({
          snapshot: rec.outputs['manifest-uri']!,
          'encryption-key': 'a wrong passphrase, long enough',
        }),
        new RecordingReporter(),
        {},
      ),
    );
    expect(err.message).toMatch(/decrypt|passphrase/i);
    expect(err.message).not.toContain('a wrong passphrase, long enough');
    expect(memberState(cluster)).toBe(before);
    expect((await clusterKeys(cluster.endpoints[0]!)).get('app/config')).toBe('v2');
  });

  it('refuses a member whose host key is not pinned before touching any member', async () => {
    const before = memberState(cluster);
    const err = await failure(
      restore(inputs({ 'ssh-known-hosts': sshd.wrongKnownHosts }), new RecordingReporter(), {}),
    );
    expect(err).toBeInstanceOf(PreconditionFailed);
    expect(err.message).toMatch(
      new RegExp(
        `ssh root@127\\.0\\.0\\.1:${sshd.port}: host key SHA256:\\S+ is not pinned in ssh-known-hosts`,
      ),
    );
    expect(memberState(cluster)).toBe(before);
  });

  it('restores every member to exactly the snapshot keys and proves the cluster healthy', async () => {
    const rec = new RecordingReporter();
    await restore(inputs(), rec, {});
    for (const m of cluster.members) {
      expect(await memberKeys(m.clientUrl)).toEqual(atSnapshot);
      expect(existsSync(`${m.dataDir}.kubesafe-restored-${manifest.sha256.slice(0, 12)}`)).toBe(true);
      // The old data dir is kept, and the plain-text snapshot copy is not.
      const aside = readdirSync(cluster.root).filter((n) => n.startsWith(`${m.name}.kubesafe-before-`));
      expect(aside).toHaveLength(1);
      expect(statSync(path.join(cluster.root, aside[0]!, 'member', 'snap', 'db')).isFile()).toBe(true);
      expect(readdirSync(cluster.root).filter((n) => n.startsWith(`${m.name}.kubesafe-snapshot-`))).toEqual(
        [],
      );
    }
    expect(Number(rec.outputs.revision)).toBeGreaterThanOrEqual(manifest.revision);
    // etcdutl (3.6) moves the revision a billion ahead so watchers relist; etcdctl 3.4 cannot.
    if (version === '3.6')
      expect(Number(rec.outputs.revision)).toBeGreaterThanOrEqual(manifest.revision + 1e9);
    else expect(Number(rec.outputs.revision)).toBeLessThan(1e9);
    expect(rec.outputs.members).toBe('m1,m2,m3');
    const table = rec.lines.find((l) => l.startsWith('prefix'))!;
    expect(table).toContain('/registry/secrets');
    expect(table).not.toContain('differs');
    expect(readdirSync(rec.outputs['plan-dir']!).sort()).toEqual([
      'plan.json',
      'plan.md',
      'restore-m1.sh',
      'restore-m2.sh',
      'restore-m3.sh',
    ]);
    const c = cluster.client();
    try {
      expect((await c.cluster.memberList({})).members.map((m) => m.name).sort()).toEqual(['m1', 'm2', 'm3']);
      await c.put('after-restore').value('writable');
      expect(await c.get('after-restore').string()).toBe('writable');
    } finally {
      c.close();
    }
  });

  it('puts the companion files captured with the snapshot back on every member', async () => {
    const pki = path.join(work, 'pki');
    mkdirSync(pki, { recursive: true });
    const files = { 'sa.key': randomBytes(1200), 'sa.pub': randomBytes(400) };
    for (const [f, body] of Object.entries(files)) writeFileSync(path.join(pki, f), body);
    const passphrase = 'companion files restore test passphrase';
    const rec = new RecordingReporter();
    await snapshot(
      inputsFrom({
        endpoints: cluster.endpoints.join(','),
        destination: path.join(work, 'with-companions'),
        'cluster-name': 'test',
        'encryption-key': passphrase,
        'companion-files': Object.keys(files)
          .map((f) => path.join(pki, f))
          .join(','),
        'control-plane-hosts': `127.0.0.1:${sshd.port}`,
        'ssh-user': sshd.user,
        'ssh-private-key': sshd.privateKey,
        'ssh-known-hosts': sshd.knownHosts,
      }),
      rec,
      {},
    );
    rmSync(pki, { recursive: true, force: true });
    await restore(
      inputs({ snapshot: rec.outputs['manifest-uri']!, 'encryption-key': passphrase }),
      new RecordingReporter(),
      {},
    );
    for (const [f, body] of Object.entries(files))
      expect(readFileSync(path.join(pki, f)).equals(body)).toBe(true);
  });

  it('refuses a second restore of the same snapshot; force restores it again', async () => {
    const before = memberState(cluster);
    const err = await failure(restore(inputs(), new RecordingReporter(), {}));
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/member m1 .*step check: exit 3/);
    expect(err.message).toContain('already restored from snapshot');
    expect(err.message).toContain('Nothing was changed on any member');
    expect(memberState(cluster)).toBe(before);
    expect((await clusterKeys(cluster.endpoints[0]!)).get('after-restore')).toBe('writable');

    await restore(inputs({ force: 'true' }), new RecordingReporter(), {});
    for (const m of cluster.members) expect(await memberKeys(m.clientUrl)).toEqual(atSnapshot);
  });

  it('stops at the first failing member and step, leaving its old data dir moved aside and intact', async () => {
    const c = cluster.client();
    const put = await c.put('before-failed-restore').value('kept');
    c.close();
    const m2 = cluster.members[1]!;
    const asideBefore = new Set(readdirSync(cluster.root).filter((n) => n.startsWith('m2.kubesafe-before-')));
    const failingStart = `if [ "$KUBESAFE_MEMBER" = m2 ]; then echo "injected failure on $KUBESAFE_MEMBER" >&2; exit 7; fi; sh ${cluster.root}/$KUBESAFE_MEMBER.start.sh`;
    const err = await failure(
      restore(
        inputs({ force: 'true', 'start-etcd-command': failingStart, 'health-timeout': '5s' }),
        new RecordingReporter(),
        {},
      ),
    );
    expect(err.message).toMatch(
      new RegExp(
        `member m2 \\(root@127\\.0\\.0\\.1:${sshd.port}\\), step start-etcd: exit 7:\\ninjected failure on m2`,
      ),
    );
    const aside = readdirSync(cluster.root).filter(
      (n) => n.startsWith('m2.kubesafe-before-') && !asideBefore.has(n),
    );
    expect(aside).toHaveLength(1);
    const asideDir = path.join(cluster.root, aside[0]!);
    expect(err.message).toContain(`m2: ${asideDir} (was ${m2.dataDir})`);
    // The moved-aside database is the one etcd ran on: it holds the write made just before the run.
    expect(dbRevision(cluster.binDir, path.join(asideDir, 'member', 'snap', 'db'))).toBeGreaterThanOrEqual(
      Number(put.header.revision),
    );
    expect(readdirSync(path.join(asideDir, 'member', 'wal')).some((f) => f.endsWith('.wal'))).toBe(true);
  });
});

/** The revision recorded in a bolt database file, read offline with the version's own tool. */
function dbRevision(binDir: string, db: string): number {
  const etcdutl = path.join(binDir, 'etcdutl');
  const [tool, env] = existsSync(etcdutl)
    ? [etcdutl, {}]
    : [path.join(binDir, 'etcdctl'), { ETCDCTL_API: '3' }];
  const out = execFileSync(tool, ['snapshot', 'status', db, '-w', 'json'], {
    env: { ...process.env, ...env },
  }).toString();
  return (JSON.parse(out) as { revision: number }).revision;
}
