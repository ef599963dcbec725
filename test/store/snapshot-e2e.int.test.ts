import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { run as snapshot } from '../../src/actions/etcd-snapshot.js';
import { run as snapshots } from '../../src/actions/snapshots.js';
import { freePort } from '../../src/etcd/drill.js';
import { inputsFrom } from '../../src/inputs.js';
import { RecordingReporter } from '../../src/report.js';
import { fillKubernetesLike, startEtcdCluster, waitHealthy, type EtcdCluster } from '../helpers/etcd.js';
import { minioPath, startMinio, type S3Server } from '../helpers/s3.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { Etcd3 } from 'etcd3';

const PASSPHRASE = 'e2e passphrase that must never be printed';

/** Restores `file` with etcdctl into a new data dir, starts etcd on it and returns the keys under /registry/. */
async function restoreAndRead(binDir: string, file: string): Promise<string[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-restore-'));
  const client = await freePort();
  const peer = await freePort();
  try {
    execFileSync(
      path.join(binDir, 'etcdctl'),
      [
        'snapshot',
        'restore',
        file,
        '--data-dir',
        path.join(dir, 'data'),
        '--name',
        'r1',
        '--initial-cluster',
        `r1=http://127.0.0.1:${peer}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${peer}`,
      ],
      {
        env: { ...process.env, ETCDCTL_API: '3' },
        stdio: 'pipe',
      },
    );
    const etcd = spawn(
      path.join(binDir, 'etcd'),
      [
        '--name=r1',
        `--data-dir=${path.join(dir, 'data')}`,
        `--listen-client-urls=http://127.0.0.1:${client}`,
        `--advertise-client-urls=http://127.0.0.1:${client}`,
        `--listen-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-cluster=r1=http://127.0.0.1:${peer}`,
        '--log-level=error',
      ],
      { stdio: 'ignore' },
    );
    try {
      await waitHealthy({
        client: () => new Etcd3({ hosts: [`http://127.0.0.1:${client}`] }),
      } as unknown as EtcdCluster);
      const c = new Etcd3({ hosts: [`http://127.0.0.1:${client}`] });
      const keys = await c.getAll().prefix('/registry/').keys();
      c.close();
      return keys.sort();
    } finally {
      const exited = new Promise((r) => etcd.once('exit', r));
      etcd.kill('SIGTERM');
      await exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function expectNoSecret(r: RecordingReporter, secret: string): void {
  const all = [
    ...r.lines,
    ...r.summaries,
    ...Object.values(r.outputs).filter((v) => !v.startsWith('http')),
  ].join('\n');
  expect(all).not.toContain(secret);
}

describe('etcd-snapshot end to end into remote stores, then snapshots get and etcdctl restore', () => {
  let etcd: EtcdCluster;
  let minio: S3Server;
  let sshd: Sshd;
  let expectedKeys: string[];
  let work: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    if (!minioPath()) throw new Error('MinIO is not built: run test/helpers/build-minio.sh');
    [etcd, minio, sshd] = await Promise.all([startEtcdCluster(), startMinio().then((m) => m!), startSshd()]);
    const c = etcd.client();
    await fillKubernetesLike(c, 600, 2048);
    expectedKeys = (await c.getAll().prefix('/registry/').keys()).sort();
    c.close();
    // The S3 store uses the SDK's default credential chain, as in a workflow.
    Object.assign(process.env, minio.env);
    work = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-e2e-'));
  }, 60_000);
  afterAll(async () => {
    process.env = saved;
    await Promise.all([etcd?.stop(), minio?.stop(), sshd?.stop()]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('S3 with a passphrase: snapshot, presigned URL, retention, list, get, restore', async () => {
    const common = {
      destination: `s3://${minio.bucket}/etcd`,
      's3-endpoint': minio.endpoint,
      'encryption-key': PASSPHRASE,
    };
    const r = new RecordingReporter();
    for (let i = 0; i < 3; i++) {
      await snapshot(
        inputsFrom({
          ...common,
          endpoints: etcd.endpoints.join(','),
          'cluster-name': 'prod',
          labels: i === 0 ? 'pinned' : 'pre-change',
          'presign-expiry': '10m',
          retention: 'count:1',
        }),
        r,
        {},
      );
    }
    expect(r.outputs['snapshot-uri']).toMatch(
      /^s3:\/\/kubesafe-test\/etcd\/prod\/\d{8}T\d{6}Z-rev\d+\.db\.zst\.age$/,
    );
    expect(r.secrets).toContain(r.outputs['presigned-url']);
    expect((await fetch(r.outputs['presigned-url']!)).status).toBe(200);
    expect(r.outputs.pruned).toBe('1'); // the pinned first one stays, the second goes, the third is the newest
    expectNoSecret(r, PASSPHRASE);

    const list = new RecordingReporter();
    await snapshots(inputsFrom({ ...common, operation: 'list' }), list);
    expect(list.outputs.count).toBe('2');
    expect(list.lines.join('\n')).toMatch(/time\s+cluster\s+revision\s+size\s+labels\s+pinned\s+encrypted/);
    expect(list.lines.join('\n')).toContain('yes (label)');

    const out = path.join(work, 's3.db');
    const get = new RecordingReporter();
    await snapshots(
      inputsFrom({ ...common, operation: 'get', uri: r.outputs['snapshot-uri'], output: out }),
      get,
    );
    expect(get.outputs.sha256).toBe(r.outputs.sha256);
    expectNoSecret(get, PASSPHRASE);
    expect(await restoreAndRead(etcd.binDir, out)).toEqual(expectedKeys);
  }, 120_000);

  it('SFTP with age recipients: snapshot, get with the identity, restore; the wrong passphrase is refused', async () => {
    const identity = await generateX25519Identity();
    const recipient = await identityToRecipient(identity);
    const common = {
      destination: `sftp://${sshd.user}@127.0.0.1:${sshd.port}${sshd.root}/etcd`,
      'ssh-private-key': sshd.privateKey,
      'ssh-known-hosts': sshd.knownHosts,
    };
    const r = new RecordingReporter();
    await snapshot(
      inputsFrom({
        ...common,
        endpoints: etcd.endpoints.join(','),
        'encryption-recipients': recipient,
        'decryption-identity': identity,
        verify: 'restore',
      }),
      r,
      {},
    );
    expect(r.outputs['snapshot-uri']).toMatch(/^sftp:\/\/.*\/etcd\/default\/.*\.db\.zst\.age$/);
    expect(r.secrets).toContain(identity);
    expectNoSecret(r, identity);

    const out = path.join(work, 'sftp.db');
    await expect(
      snapshots(
        inputsFrom({
          ...common,
          operation: 'get',
          uri: r.outputs['manifest-uri'],
          output: out,
          'encryption-key': 'a different passphrase',
        }),
        new RecordingReporter(),
      ),
    ).rejects.toThrow(/decryption-identity: .*age identity for one of the recipients/);
    const get = new RecordingReporter();
    await snapshots(
      inputsFrom({
        ...common,
        operation: 'get',
        uri: r.outputs['manifest-uri'],
        output: out,
        'decryption-identity': identity,
      }),
      get,
    );
    expectNoSecret(get, identity);
    expect(await restoreAndRead(etcd.binDir, out)).toEqual(expectedKeys);
  }, 120_000);
});
