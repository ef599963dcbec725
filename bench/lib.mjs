// Shared pieces of the benchmarks: a real etcd on loopback filled with Kubernetes-like objects, and
// timing/RSS measurement of child processes.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';

export async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startEtcd(binDir = '/usr/bin') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-bench-etcd-'));
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const proc = spawn(
    path.join(binDir, 'etcd'),
    [
      '--name=bench',
      `--data-dir=${dir}/data`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=bench=http://127.0.0.1:${peer}`,
      '--quota-backend-bytes=8589934592',
      '--log-level=error',
      '--auto-compaction-retention=0',
    ],
    { stdio: 'ignore' },
  );
  const etcd = new Etcd3({ hosts: url });
  for (let i = 0; ; i++) {
    try {
      await etcd.get('x').exists();
      break;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    dir,
    etcd,
    async stop() {
      etcd.close();
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Kubernetes-like objects of 1-20 KB (metadata, labels, a container spec with env entries), written in
 * batches. `values: 'repetitive'` compresses ~19x (names and numbers repeat); `values: 'random'` puts
 * random base64 in every env value and a random uid in metadata, like real objects, and compresses ~6x.
 */
export async function fillTo(etcd, targetBytes, { values = 'repetitive' } = {}) {
  const kinds = ['pods', 'configmaps', 'secrets', 'events', 'deployments', 'services/specs', 'leases'];
  const random = values === 'random';
  let written = 0;
  let i = 0;
  const batch = 200;
  while (written < targetBytes) {
    const puts = [];
    for (let j = 0; j < batch; j++, i++) {
      const size = 1024 + ((i * 7919) % 19456);
      const kind = kinds[i % kinds.length];
      const labels = Object.fromEntries(
        Array.from({ length: 6 }, (_, k) => [`app.kubernetes.io/label-${k}`, `value-${(i + k) % 97}`]),
      );
      const obj = {
        apiVersion: 'v1',
        kind,
        metadata: {
          name: `obj-${i}`,
          namespace: `ns-${i % 31}`,
          uid: random ? randomBytes(16).toString('hex') : `${i}-uid`,
          labels,
        },
        spec: {
          containers: [{ name: 'main', image: `registry.example.com/app-${i % 300}:v${i % 17}`, env: [] }],
        },
      };
      // Grow by entries while counting their JSON length, instead of serialising the object each time.
      let length = JSON.stringify(obj).length;
      const env = obj.spec.containers[0].env;
      while (length < size) {
        const entry = {
          name: `VAR_${env.length}_${i % 13}`,
          value: random
            ? `${randomBytes(6).toString('base64')}-value-${i % 1000}`
            : `value-${(i * env.length) % 1000}-${'abcdefghij'.repeat(3)}`,
        };
        env.push(entry);
        length += JSON.stringify(entry).length + 1;
      }
      const body = JSON.stringify(obj);
      written += body.length;
      puts.push(etcd.put(`/registry/${kind}/ns-${i % 31}/obj-${i}`).value(body));
    }
    await Promise.all(puts);
  }
  return { keys: i, bytes: written };
}

/**
 * Runs a command, sampling its peak RSS (VmHWM) from /proc until it exits. A `sync` first, outside the
 * timing: otherwise the dirty pages of the previous command (etcdctl's 1 GiB file) are written back
 * while this one runs, and it pays for them.
 */
export async function measure(cmd, args, env = process.env) {
  execFileSync('sync');
  const start = process.hrtime.bigint();
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  let peakKb = 0;
  const timer = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      /* exited */
    }
  }, 50);
  const code = await new Promise((r) => child.on('exit', r));
  clearInterval(timer);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-2000)}`);
  return { seconds, peakMb: peakKb / 1024, out };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function dbSize(etcd) {
  return Number((await etcd.maintenance.status()).dbSize);
}
