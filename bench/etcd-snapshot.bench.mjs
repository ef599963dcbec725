// etcd-snapshot vs `etcdctl snapshot save`, in one run on the same database.
//   npm run bench etcd-snapshot            (256 MiB and 1 GiB)
//   BENCH_SIZES_MIB=128 npm run bench etcd-snapshot
// Prints, per size: etcdctl's time, the action's time (folder store, verify: hash) with its default
// compression (zstd) and with none, their ratios, and the action's peak RSS. Each time is the median of
// BENCH_RUNS runs; the RSS is the highest of them.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dbSize, fillTo, measure, median, startEtcd } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sizes = (process.env.BENCH_SIZES_MIB ?? '256,1024').split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const bundle = path.join(root, 'dist/etcd-snapshot/index.js');

function actionEnv(url, dest, compression) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  const inputs = {
    endpoints: url,
    destination: dest,
    verify: 'hash',
    compression,
    member: 'leader',
    'cluster-name': 'bench',
    timeout: '30m',
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return env;
}

const rows = [];
for (const mib of sizes) {
  const etcd = await startEtcd();
  const work = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-bench-'));
  try {
    const filled = await fillTo(etcd.etcd, mib * 1048576);
    const db = await dbSize(etcd.etcd);
    console.log(
      `filled ${filled.keys} keys, ${(filled.bytes / 1048576).toFixed(0)} MiB of values, db ${(db / 1048576).toFixed(0)} MiB`,
    );
    const base = [];
    const none = [];
    const zstd = [];
    let rss = 0;
    for (let r = 0; r < runs; r++) {
      // Interleaved, so drift on a noisy machine hits both sides alike.
      base.push(
        (
          await measure(
            'etcdctl',
            ['--endpoints', etcd.url, 'snapshot', 'save', path.join(work, `etcdctl-${r}.db`)],
            { ...process.env, ETCDCTL_API: '3' },
          )
        ).seconds,
      );
      const a = await measure(
        process.execPath,
        [bundle],
        actionEnv(etcd.url, path.join(work, `none-${r}`), 'none'),
      );
      none.push(a.seconds);
      rss = Math.max(rss, a.peakMb);
      const z = await measure(
        process.execPath,
        [bundle],
        actionEnv(etcd.url, path.join(work, `zstd-${r}`), 'zstd'),
      );
      zstd.push(z.seconds);
      rss = Math.max(rss, z.peakMb);
      // Keep the disk from filling up with copies between runs.
      rmSync(work, { recursive: true, force: true });
      mkdirSync(work);
    }
    const b = median(base);
    rows.push({ mib, db: db / 1048576, etcdctl: b, none: median(none), zstd: median(zstd), rss });
  } finally {
    rmSync(work, { recursive: true, force: true });
    await etcd.stop();
  }
}

// The measure is the action as a user runs it: its defaults (zstd) into a folder, verify: hash.
// `none` is shown too: it writes and reads back the whole database, the most a folder store can cost.
console.log(
  '\n| db MiB | etcdctl s | action s (defaults: zstd) | ratio (target <= 1.15) | action s (compression none) | ratio, none | action peak RSS MB (target <= 200, flat) |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.db.toFixed(0)} | ${r.etcdctl.toFixed(2)} | ${r.zstd.toFixed(2)} | ${(r.zstd / r.etcdctl).toFixed(2)} | ${r.none.toFixed(2)} | ${(r.none / r.etcdctl).toFixed(2)} | ${r.rss.toFixed(0)} |`,
  );
}
