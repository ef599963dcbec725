import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Etcd3 } from 'etcd3';
import { run } from '../../src/actions/etcd-snapshot.js';
import { freePort } from '../../src/etcd/drill.js';
import { countByPrefix } from '../../src/etcd/key-counts.js';
import { drillStoredSnapshot } from '../../src/etcd/snapshot.js';
import { inputsFrom } from '../../src/inputs.js';
import { RecordingReporter } from '../../src/report.js';
import { FileStore } from '../../src/store/file.js';
import type { SnapshotManifest } from '../../src/store/manifest.js';
import { runActionBundle } from '../helpers/action-runner.js';
import { etcdBinDir, fillKubernetesLike, startEtcdCluster, type EtcdCluster } from '../helpers/etcd.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-snap-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function freshDir(name: string): string {
  const d = path.join(scratch, `${name}-${Math.random().toString(36).slice(2, 8)}`);
  return d;
}

async function snapshot(inputs: Record<string, string>) {
  const reporter = new RecordingReporter();
  await run(inputsFrom(inputs), reporter, {});
  return reporter;
}

function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
  } catch {
    return [];
  }
}

/** Restores a raw snapshot with the etcd tools themselves, starts etcd on it and reads every key. */
async function restoreWithEtcdctlAndRead(binDir: string, snapshotFile: string): Promise<Map<string, string>> {
  const dataDir = freshDir('restored');
  const [client, peer] = [await freePort(), await freePort()];
  const tool = readdirSync(binDir).includes('etcdutl') ? 'etcdutl' : 'etcdctl';
  execFileSync(
    path.join(binDir, tool),
    [
      'snapshot',
      'restore',
      snapshotFile,
      `--data-dir=${dataDir}`,
      '--name=r',
      `--initial-cluster=r=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
    ],
    { env: { ...process.env, ETCDCTL_API: '3' }, stdio: 'pipe' },
  );
  const proc = spawn(
    path.join(binDir, 'etcd'),
    [
      '--name=r',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=http://127.0.0.1:${client}`,
      `--advertise-client-urls=http://127.0.0.1:${client}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=r=http://127.0.0.1:${peer}`,
    ],
    { stdio: 'ignore' },
  );
  const etcd = new Etcd3({ hosts: `http://127.0.0.1:${client}` });
  try {
    for (let i = 0; ; i++) {
      try {
        const all = await etcd.getAll().prefix('').strings();
        return new Map(Object.entries(all));
      } catch (err) {
        if (i > 100) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    etcd.close();
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
}

const versions = (['3.4', '3.6'] as const).filter((v) => etcdBinDir(v));

describe.each(versions)('etcd %s, single member', (version) => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcdCluster({ version });
    const c = cluster.client();
    await fillKubernetesLike(c, 300);
    await c.put('plain-key').value('plain');
    c.close();
  });
  afterAll(() => cluster.stop());

  it('stores a snapshot whose etcdctl restore holds the same keys, with a manifest written last', async () => {
    const dest = freshDir('single');
    const reporter = await snapshot({
      endpoints: cluster.endpoints[0]!,
      destination: dest,
      'cluster-name': 'test',
      labels: 'pre-change',
      compression: 'none',
    });
    const out = reporter.outputs;
    expect(out.member).toBe('m1');
    const file = new URL(out['snapshot-uri']!).pathname;
    const manifest = JSON.parse(
      readFileSync(new URL(out['manifest-uri']!).pathname, 'utf8'),
    ) as SnapshotManifest;
    expect(manifest.sha256).toBe(out.sha256);
    expect(manifest.labels).toEqual({ 'pre-change': 'true' });
    expect(manifest.keyCount).toBe(301);
    expect(manifest.members.map((m) => m.name)).toEqual(['m1']);
    expect(path.basename(file)).toMatch(/^\d{8}T\d{6}Z-rev\d+\.db$/);
    const live = cluster.client();
    const expected = new Map(Object.entries(await live.getAll().prefix('').strings()));
    live.close();
    const restored = await restoreWithEtcdctlAndRead(cluster.binDir, file);
    expect(restored).toEqual(expected);
  });

  it('passes the restore drill on a good snapshot and fails it once the stored object is altered', async () => {
    const dest = freshDir('drill');
    const reporter = await snapshot({
      endpoints: cluster.endpoints[0]!,
      destination: dest,
      verify: 'restore',
      'etcd-bin-dir': cluster.binDir,
      compression: 'zstd',
    });
    expect(reporter.lines.join('\n')).toContain('restore drill passed: 301 keys');
    const manifest = JSON.parse(
      readFileSync(new URL(reporter.outputs['manifest-uri']!).pathname, 'utf8'),
    ) as SnapshotManifest;
    const store = new FileStore(dest);
    const file = path.join(dest, manifest.snapshotKey);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(file, bytes);
    const live = cluster.client();
    try {
      const archive = {
        rawSha256: manifest.sha256,
        storedSha256: manifest.storedSha256,
        rawBytes: manifest.rawSizeBytes,
      };
      await expect(
        drillStoredSnapshot(
          store,
          manifest.snapshotKey,
          { compression: 'zstd', decryption: { kind: 'none' } },
          archive,
          live,
          new RecordingReporter(),
          cluster.binDir,
        ),
      ).rejects.toThrow(
        new RegExp(`stored object file://${dest}/.* (SHA-256 .* does not match|is damaged or was replaced)`),
      );
    } finally {
      live.close();
    }
  });
});

describe('etcd 3.4, three members', () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcdCluster({ size: 3 });
    const c = cluster.client();
    await fillKubernetesLike(c, 100);
    c.close();
  });
  afterAll(() => cluster.stop());

  it('streams from the leader', async () => {
    const c = cluster.client();
    const status = await c.maintenance.status();
    const members = await c.cluster.memberList({});
    c.close();
    const leaderName = members.members.find((m) => m.ID === status.leader)!.name;
    const reporter = await snapshot({
      endpoints: cluster.endpoints.join(','),
      destination: freshDir('three'),
    });
    expect(reporter.outputs.member).toBe(leaderName);
  });

  it('streams from a healthy member when one member is down, and refuses with a table when two are', async () => {
    await cluster.members[0]!.stop();
    const ok = await snapshot({
      endpoints: cluster.endpoints.join(','),
      destination: freshDir('one-down'),
      member: 'any',
    });
    expect(['m2', 'm3']).toContain(ok.outputs.member);

    await cluster.members[1]!.stop();
    const dest = freshDir('two-down');
    await expect(snapshot({ endpoints: cluster.endpoints.join(','), destination: dest })).rejects.toThrow(
      /no healthy etcd member[\s\S]*endpoint[\s\S]*127\.0\.0\.1/,
    );
    expect(filesUnder(dest)).toEqual([]);
    await cluster.members[0]!.start();
    await cluster.members[1]!.start();
  });

  it('refuses an unknown member name before anything is written', async () => {
    const dest = freshDir('unknown-member');
    await expect(
      snapshot({ endpoints: cluster.endpoints.join(','), destination: dest, member: 'nope' }),
    ).rejects.toThrow(/member: no member named "nope"/);
    expect(filesUnder(dest)).toEqual([]);
  });
});

describe('etcd 3.4 with TLS client-certificate auth', () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcdCluster({ tls: true });
  });
  afterAll(() => cluster.stop());

  it('succeeds with the right certificates', async () => {
    const t = cluster.tls!;
    const reporter = await snapshot({
      endpoints: cluster.endpoints[0]!,
      destination: freshDir('tls'),
      ca: t.ca,
      cert: t.clientCert,
      key: readFileSync(t.clientKey, 'utf8'),
    });
    expect(reporter.outputs.member).toBe('m1');
  });

  it('says the client certificate is missing', async () => {
    const dest = freshDir('tls-missing');
    await expect(
      snapshot({ endpoints: cluster.endpoints[0]!, destination: dest, ca: cluster.tls!.ca }),
    ).rejects.toThrow(/requires a client certificate: set inputs "cert" and "key"/);
    expect(filesUnder(dest)).toEqual([]);
  });

  it('says the client certificate was refused', async () => {
    const t = cluster.tls!;
    await expect(
      snapshot({
        endpoints: cluster.endpoints[0]!,
        destination: freshDir('tls-wrong'),
        ca: t.ca,
        cert: t.otherClientCert,
        key: t.otherClientKey,
      }),
    ).rejects.toThrow(/refused the client certificate/);
  });

  it('says the server is not trusted by the given CA', async () => {
    const t = cluster.tls!;
    await expect(
      snapshot({
        endpoints: cluster.endpoints[0]!,
        destination: freshDir('tls-ca'),
        ca: t.otherCa,
        cert: t.clientCert,
        key: t.clientKey,
      }),
    ).rejects.toThrow(/not trusted by the given CA/);
  });
});

describe('etcd 3.6 with user name and password', () => {
  let cluster: EtcdCluster;
  const password = 'pw-' + Math.random().toString(36).slice(2);
  beforeAll(async () => {
    cluster = await startEtcdCluster({ version: '3.6' });
    const c = cluster.client();
    await fillKubernetesLike(c, 500, 4000);
    c.close();
    const etcdctl = (...args: string[]) =>
      execFileSync(path.join(cluster.binDir, 'etcdctl'), ['--endpoints', cluster.endpoints[0]!, ...args], {
        stdio: 'pipe',
      });
    etcdctl('user', 'add', `root:${password}`);
    etcdctl('auth', 'enable');
  });
  afterAll(() => cluster.stop());

  it('streams the snapshot with the token etcd issues for them', async () => {
    const dest = freshDir('auth');
    const reporter = await snapshot({
      endpoints: cluster.endpoints[0]!,
      destination: dest,
      username: 'root',
      password,
    });
    const manifest = JSON.parse(
      readFileSync(
        path.join(
          dest,
          filesUnder(dest).find((f) => f.endsWith('.json'))!,
        ),
        'utf8',
      ),
    ) as SnapshotManifest;
    expect(manifest.keyCount).toBe(500);
    expect(manifest.rawSizeBytes).toBeGreaterThan(500 * 4000);
    expect(reporter.lines.join('\n')).not.toContain(password);
  });

  it('fails on a wrong password without storing anything or quoting it', async () => {
    const dest = freshDir('auth-wrong');
    const error = await snapshot({
      endpoints: cluster.endpoints[0]!,
      destination: dest,
      username: 'root',
      password: 'not-' + password,
    }).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error?.message).toMatch(/authentication failed/);
    expect(error?.message).not.toContain(password);
    expect(filesUnder(dest)).toEqual([]);
  });
});

describe('a snapshot stream cut short', () => {
  let cluster: EtcdCluster;
  let proxy: net.Server;
  let proxyPort: number;
  beforeAll(async () => {
    cluster = await startEtcdCluster();
    const c = cluster.client();
    await fillKubernetesLike(c, 2000, 2000);
    c.close();
    // Forwards everything, but closes both sides once the server has sent 1 MiB: the snapshot (~5 MiB) is cut.
    const target = new URL(cluster.endpoints[0]!);
    proxy = net.createServer((client) => {
      const server = net.connect(Number(target.port), target.hostname);
      let fromServer = 0;
      client.on('data', (d) => server.write(d));
      server.on('data', (d) => {
        fromServer += d.length;
        client.write(d);
        if (fromServer > 1 << 20) {
          client.destroy();
          server.destroy();
        }
      });
      client.on('error', () => server.destroy());
      server.on('error', () => client.destroy());
      client.on('close', () => server.destroy());
      // Once etcd is gone, its clients' connections through the proxy must go too.
      server.on('close', () => client.destroy());
    });
    proxyPort = await freePort();
    await new Promise<void>((r) => proxy.listen(proxyPort, '127.0.0.1', r));
  });
  afterAll(async () => {
    proxy.close();
    await cluster.stop();
  });

  it('is detected and leaves neither a snapshot nor a manifest', async () => {
    const dest = freshDir('cut');
    await expect(snapshot({ endpoints: `http://127.0.0.1:${proxyPort}`, destination: dest })).rejects.toThrow(
      /snapshot stream|cut short/,
    );
    expect(filesUnder(dest)).toEqual([]);
  });
});

describe('the action bundle run as the runner runs it', () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcdCluster({ tls: true });
    const c = cluster.client();
    await fillKubernetesLike(c, 50);
    c.close();
  });
  afterAll(() => cluster.stop());

  it('writes its outputs and summary, and never prints the private key', async () => {
    const t = cluster.tls!;
    const key = readFileSync(t.clientKey, 'utf8');
    const dest = freshDir('bundle');
    const result = await runActionBundle('etcd-snapshot', {
      endpoints: cluster.endpoints[0]!,
      destination: `file://${dest}`,
      ca: readFileSync(t.ca, 'utf8'),
      cert: readFileSync(t.clientCert, 'utf8'),
      key,
      'cluster-name': 'bundle',
    });
    expect(result.stdout).not.toContain('::error::');
    expect(result.code).toBe(0);
    expect(result.outputs.member).toBe('m1');
    expect(result.outputs['manifest-uri']).toMatch(/^file:\/\/.*\/bundle\/\d{8}T\d{6}Z-rev\d+\.json$/);
    const manifest = JSON.parse(
      readFileSync(new URL(result.outputs['manifest-uri']!).pathname, 'utf8'),
    ) as SnapshotManifest;
    expect(result.outputs.sha256).toBe(manifest.sha256);
    expect(result.outputs['stored-sha256']).toBe(manifest.storedSha256);
    expect(result.outputs.revision).toBe(String(manifest.revision));
    expect(result.summary).toContain('etcd snapshot of `bundle`');
    // The runner consumes ::add-mask:: commands and never shows them; everything else reaches the log.
    const log = result.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    for (const line of key.split('\n').filter((l) => l.length > 8 && !l.startsWith('-----'))) {
      expect(log).not.toContain(line);
      expect(result.summary).not.toContain(line);
    }
    const live = cluster.client();
    // Every key at the snapshot's revision, read in one plain range: independent of the counting shortcut.
    const all = await live.kv.range({
      key: Buffer.from([0]),
      range_end: Buffer.from([0]),
      keys_only: true,
      revision: String(manifest.revision),
    });
    expect(manifest.keyCountsByPrefix).toEqual(countByPrefix(all.kvs.map((kv) => kv.key.toString())));
    live.close();
  });

  it('fails on a bad input before connecting, naming the input', async () => {
    const dest = freshDir('bundle-bad');
    const result = await runActionBundle('etcd-snapshot', {
      endpoints: 'ftp://x',
      destination: `file://${dest}`,
    });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(
      /::error::endpoints: "ftp:\/\/x" is not valid; expected an http:\/\/ or https:\/\/ URL/,
    );
    expect(filesUnder(dest)).toEqual([]);
  });
});
