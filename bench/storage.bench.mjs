// Storage benchmark: etcd -> S3 (local MinIO) the sequential way vs the action's streaming pipeline.
//
//   npm run build && npm run bench -- storage            (KUBESAFE_BENCH_MIB=1024 for ~1 GiB; default 256)
//
// Baseline: `etcdctl snapshot save` to a file, then upload that file with the SDK (lib-storage, same part
// size and concurrency). Action: `node dist/cli/index.js etcd-snapshot` streaming etcd -> zstd -> age ->
// S3 with read-back verification. Prints action/baseline (target <= 0.7), action/save (target <= 1.3),
// the action's peak RSS (VmHWM, target <= 250 MB) and the compression ratio.
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Etcd3 } from 'etcd3';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Public-key encryption by default, as CI should use it (the private key stays away from the runner).
// A passphrase costs one scrypt (logN 18: about 1 s and 256 MB of memory) per snapshot on top:
// KUBESAFE_BENCH_ENCRYPTION=passphrase measures it.
async function encryptionFlags() {
  if (process.env.KUBESAFE_BENCH_ENCRYPTION === 'passphrase')
    return ['--encryption-key', 'bench passphrase 0123456789'];
  const { generateIdentity, identityToRecipient } = await import('age-encryption');
  return ['--encryption-recipients', await identityToRecipient(await generateIdentity())];
}

const targetMiB = Number(process.env.KUBESAFE_BENCH_MIB ?? process.argv[2] ?? 256);
const cache = process.env.KUBESAFE_CACHE ?? path.join(os.homedir(), '.cache/kubesafe');
const minioBin = path.join(cache, 'bin/minio');
const cli = path.join(root, 'dist/cli/index.js');
for (const [what, p] of [
  ['MinIO (test/helpers/build-minio.sh)', minioBin],
  ['the CLI (npm run build)', cli],
  ['etcd', '/usr/bin/etcd'],
]) {
  if (!existsSync(p)) throw new Error(`${what} is missing: ${p}`);
}

const work = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-bench-'));
const children = [];
const freePort = async () => {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
};
const wait = async (fn, ms = 30000) => {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {
      // not ready yet
    }
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
};
const secs = (t0) => (performance.now() - t0) / 1000;

try {
  // --- servers
  const [etcdPort, peerPort, s3Port, consolePort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const endpoint = `http://127.0.0.1:${etcdPort}`;
  children.push(
    spawn(
      '/usr/bin/etcd',
      [
        `--data-dir=${work}/etcd`,
        `--listen-client-urls=${endpoint}`,
        `--advertise-client-urls=${endpoint}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
        '--quota-backend-bytes=8589934592',
        '--log-level=error',
      ],
      { stdio: 'ignore' },
    ),
  );
  const s3env = { MINIO_ROOT_USER: 'bench', MINIO_ROOT_PASSWORD: 'bench-secret-key', MINIO_BROWSER: 'off' };
  children.push(
    spawn(
      minioBin,
      [
        'server',
        `${work}/minio`,
        '--quiet',
        '--address',
        `127.0.0.1:${s3Port}`,
        '--console-address',
        `127.0.0.1:${consolePort}`,
      ],
      { stdio: 'ignore', env: { ...process.env, ...s3env } },
    ),
  );
  const s3Endpoint = `http://127.0.0.1:${s3Port}`;
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench-secret-key' };
  const s3 = new S3Client({
    endpoint: s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await wait(async () => (await fetch(`${s3Endpoint}/minio/health/live`)).ok);
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  const etcd = new Etcd3({ hosts: [endpoint] });
  await wait(async () => (await etcd.maintenance.status(), true));

  // --- fill: Kubernetes-like objects of 1-20 KB, structured JSON with some random fields, written in batches
  const t0 = performance.now();
  const kinds = ['pods', 'configmaps', 'secrets', 'deployments', 'events', 'services/specs', 'leases'];
  let written = 0;
  let i = 0;
  while (written < targetMiB * 1048576) {
    const ops = [];
    for (let j = 0; j < 200; j++, i++) {
      const kind = kinds[i % kinds.length];
      const size = 1024 + ((i * 7919) % (19 * 1024));
      const obj = {
        apiVersion: 'v1',
        kind,
        metadata: {
          name: `obj-${i}`,
          namespace: `ns-${i % 50}`,
          uid: randomBytes(16).toString('hex'),
          resourceVersion: String(i),
          labels: { app: `app-${i % 300}`, tier: i % 2 ? 'web' : 'db' },
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '' },
        },
        spec: {
          containers: [{ name: 'main', image: `registry.example.com/app-${i % 300}:v${i % 17}`, env: [] }],
        },
        data: {},
      };
      while (JSON.stringify(obj).length < size)
        obj.spec.containers[0].env.push({
          name: `VAR_${obj.spec.containers[0].env.length}`,
          value: randomBytes(6).toString('base64') + '-value-' + (i % 1000),
        });
      const v = JSON.stringify(obj);
      written += v.length;
      ops.push(etcd.put(`/registry/${kind}/ns-${i % 50}/obj-${i}`).value(v));
    }
    await Promise.all(ops);
  }
  const status = await etcd.maintenance.status();
  etcd.close();
  console.log(
    `filled ${i} keys, ${(written / 1048576).toFixed(0)} MiB of values, db ${(Number(status.dbSize) / 1048576).toFixed(0)} MiB in ${secs(t0).toFixed(1)} s`,
  );

  // --- baseline: etcdctl snapshot save, then upload the file
  const file = path.join(work, 'snap.db');
  let t = performance.now();
  execFileSync('etcdctl', ['--endpoints', endpoint, 'snapshot', 'save', file], {
    env: { ...process.env, ETCDCTL_API: '3' },
    stdio: 'ignore',
  });
  const saveSec = secs(t);
  const rawBytes = statSync(file).size;
  t = performance.now();
  await new Upload({
    client: s3,
    params: {
      Bucket: 'bench',
      Key: 'baseline/snap.db',
      Body: createReadStream(file, { highWaterMark: 1 << 20 }),
    },
    partSize: 16 * 1048576,
    queueSize: 4,
  }).done();
  const uploadSec = secs(t);
  const baselineSec = saveSec + uploadSec;

  // --- the action, as a user runs it
  t = performance.now();
  const action = spawn(
    process.execPath,
    [
      cli,
      'etcd-snapshot',
      '--endpoints',
      endpoint,
      '--destination',
      's3://bench/action',
      '--s3-endpoint',
      s3Endpoint,
      '--compression',
      'zstd',
      ...(await encryptionFlags()),
      '--verify-upload',
      'true',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_REGION: 'us-east-1',
      },
    },
  );
  let peakKiB = 0;
  const sampler = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${action.pid}/status`, 'utf8'));
      if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
    } catch {
      // not ready yet
    }
  }, 50);
  let stdout = '';
  let stderr = '';
  action.stdout.on('data', (d) => (stdout += d));
  action.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((r) => action.once('exit', r));
  clearInterval(sampler);
  const actionSec = secs(t);
  if (code !== 0) throw new Error(`the action failed (${code}):\n${stderr}`);
  if (process.env.KUBESAFE_BENCH_VERBOSE) console.log(stderr);
  const outputs = JSON.parse(stdout);
  const storedBytes = statSync(file).size && Number(/(\d+) stored/.exec(stderr)?.[1] ?? NaN);

  const fmt = (n) => n.toFixed(2);
  console.log(`raw snapshot ${(rawBytes / 1048576).toFixed(0)} MiB, revision ${outputs.revision}`);
  console.log(
    `baseline: etcdctl snapshot save ${fmt(saveSec)} s + upload ${fmt(uploadSec)} s = ${fmt(baselineSec)} s`,
  );
  console.log(
    `action: stream -> zstd -> age -> MinIO + read-back ${fmt(actionSec)} s (process start included)`,
  );
  console.log(`action / baseline           = ${fmt(actionSec / baselineSec)}   (target <= 0.7)`);
  console.log(`action / etcdctl save alone = ${fmt(actionSec / saveSec)}   (target <= 1.3)`);
  console.log(`action peak RSS (VmHWM)     = ${(peakKiB / 1024).toFixed(0)} MB   (target <= 250 MB)`);
  console.log(
    `compression ratio raw/stored = ${fmt(rawBytes / storedBytes)}  (${(storedBytes / 1048576).toFixed(0)} MiB stored)`,
  );
} finally {
  for (const c of children) {
    if (c.exitCode === null) {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
    }
  }
  rmSync(work, { recursive: true, force: true });
}
