// Storage benchmark: etcd -> S3 (local MinIO) the sequential way vs the action's streaming pipeline.
//
//   npm run build && npm run bench storage                  (~256 MiB and ~1 GiB databases)
//   BENCH_SIZES_MIB=128 BENCH_RUNS=1 npm run bench storage
//
// Baseline: `etcdctl snapshot save` to a file, then upload that file with the SDK (lib-storage, same part
// size and concurrency). Action: `node dist/cli/index.js etcd-snapshot` streaming etcd -> zstd -> age ->
// S3 with read-back verification. Prints, per size, action/baseline (target <= 0.7), action/save (target
// <= 1.3), the action's peak RSS (VmHWM, target <= 250 MB, flat in size) and the compression ratio. Each
// time is the median of BENCH_RUNS runs, interleaved so that drift on a noisy machine hits all sides alike.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { dbSize, fillTo, freePort, measure, median, startEtcd } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sizes = (process.env.BENCH_SIZES_MIB ?? process.env.KUBESAFE_BENCH_MIB ?? '256,1024')
  .split(',')
  .map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 3);
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

// Public-key encryption by default, as CI should use it (the private key stays away from the runner).
// A passphrase costs one scrypt (logN 18: about 1 s and 256 MB of memory) per snapshot on top:
// KUBESAFE_BENCH_ENCRYPTION=passphrase measures it.
async function encryptionFlags() {
  if (process.env.KUBESAFE_BENCH_ENCRYPTION === 'passphrase')
    return ['--encryption-key', 'bench passphrase 0123456789'];
  const { generateIdentity, identityToRecipient } = await import('age-encryption');
  return ['--encryption-recipients', await identityToRecipient(await generateIdentity())];
}

async function startMinio(dir) {
  const [port, consolePort] = [await freePort(), await freePort()];
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench-secret-key' };
  const proc = spawn(
    minioBin,
    [
      'server',
      dir,
      '--quiet',
      '--address',
      `127.0.0.1:${port}`,
      '--console-address',
      `127.0.0.1:${consolePort}`,
    ],
    {
      stdio: 'ignore',
      env: {
        ...process.env,
        MINIO_ROOT_USER: credentials.accessKeyId,
        MINIO_ROOT_PASSWORD: credentials.secretAccessKey,
        MINIO_BROWSER: 'off',
      },
    },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  for (let i = 0; ; i++) {
    try {
      await client.send(new CreateBucketCommand({ Bucket: 'bench' }));
      break;
    } catch (err) {
      if (i > 150) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    endpoint,
    client,
    credentials,
    async stop() {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

const rows = [];
for (const mib of sizes) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-bench-'));
  const etcd = await startEtcd();
  const minio = await startMinio(path.join(work, 'minio'));
  try {
    const filled = await fillTo(etcd.etcd, mib * 1048576, { values: 'random' });
    const db = await dbSize(etcd.etcd);
    console.log(
      `filled ${filled.keys} keys, ${(filled.bytes / 1048576).toFixed(0)} MiB of values, db ${(db / 1048576).toFixed(0)} MiB`,
    );
    const actionEnv = {
      ...process.env,
      AWS_ACCESS_KEY_ID: minio.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: minio.credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
    };
    const flags = await encryptionFlags();
    const save = [];
    const upload = [];
    const action = [];
    let rss = 0;
    let stored = 0;
    let raw = 0;
    for (let r = 0; r < runs; r++) {
      const file = path.join(work, 'snap.db');
      rmSync(file, { force: true });
      save.push(
        (
          await measure('etcdctl', ['--endpoints', etcd.url, 'snapshot', 'save', file], {
            ...process.env,
            ETCDCTL_API: '3',
          })
        ).seconds,
      );
      raw = statSync(file).size;
      const t = performance.now();
      await new Upload({
        client: minio.client,
        params: {
          Bucket: 'bench',
          Key: `baseline/snap-${r}.db`,
          Body: createReadStream(file, { highWaterMark: 1 << 20 }),
        },
        partSize: 8 * 1048576,
        queueSize: 4,
      }).done();
      upload.push((performance.now() - t) / 1000);
      const a = await measure(
        process.execPath,
        [
          cli,
          'etcd-snapshot',
          '--endpoints',
          etcd.url,
          '--destination',
          's3://bench/action',
          '--s3-endpoint',
          minio.endpoint,
          '--compression',
          'zstd',
          ...flags,
          '--verify-upload',
          'true',
        ],
        actionEnv,
      );
      action.push(a.seconds);
      rss = Math.max(rss, a.peakMb);
      stored = Number(/(\d+) stored/.exec(a.out)?.[1] ?? NaN);
      if (process.env.KUBESAFE_BENCH_VERBOSE) console.log(a.out);
    }
    const s = median(save);
    const u = median(upload);
    rows.push({ db: db / 1048576, save: s, upload: u, action: median(action), rss, ratio: raw / stored });
  } finally {
    await minio.stop();
    await etcd.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

console.log(
  '\n| db MiB | etcdctl save s | + upload s | = baseline s | action s | action / baseline (target <= 0.7) | action / save (target <= 1.3) | action peak RSS MB (target <= 250) | compression raw/stored |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const base = r.save + r.upload;
  console.log(
    `| ${r.db.toFixed(0)} | ${r.save.toFixed(2)} | ${r.upload.toFixed(2)} | ${base.toFixed(2)} | ${r.action.toFixed(2)} | ${(r.action / base).toFixed(2)} | ${(r.action / r.save).toFixed(2)} | ${r.rss.toFixed(0)} | ${r.ratio.toFixed(2)} |`,
  );
}
