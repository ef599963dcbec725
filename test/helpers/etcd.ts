import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { freePort } from '../../src/etcd/drill.js';

/** etcd versions the tests run against: Debian's 3.4 on the PATH, and 3.6 built by test/cluster/build.sh. */
export function etcdBinDir(version: '3.4' | '3.6'): string | undefined {
  if (version === '3.4') return existsSync('/usr/bin/etcd') ? '/usr/bin' : undefined;
  const dir = path.join(
    process.env.KUBESAFE_CACHE ?? path.join(os.homedir(), '.cache/kubesafe'),
    'bin/etcd3.6',
  );
  return existsSync(path.join(dir, 'etcd')) ? dir : undefined;
}

export interface TlsFiles {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client pair signed by a different CA: etcd must refuse it. */
  otherCa: string;
  otherClientCert: string;
  otherClientKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** A CA, a server certificate for 127.0.0.1 and client certificates, made with openssl at run time. */
export function makeTlsFiles(): TlsFiles {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-tls-'));
  const ca = (name: string) => {
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.crt`,
        '-days',
        '2',
        '-subj',
        `/CN=${name}`,
      ],
      dir,
    );
  };
  const leaf = (name: string, caName: string, ext: string) => {
    writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(
      [
        'req',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${name}`,
      ],
      dir,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${caName}.crt`,
        '-CAkey',
        `${caName}.key`,
        '-CAcreateserial',
        '-out',
        `${name}.crt`,
        '-days',
        '2',
        '-extfile',
        `${name}.ext`,
      ],
      dir,
    );
  };
  ca('ca');
  ca('other-ca');
  leaf('server', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  leaf('client', 'ca', 'extendedKeyUsage=clientAuth\n');
  leaf('other-client', 'other-ca', 'extendedKeyUsage=clientAuth\n');
  const p = (f: string) => path.join(dir, f);
  return {
    dir,
    ca: p('ca.crt'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
    otherCa: p('other-ca.crt'),
    otherClientCert: p('other-client.crt'),
    otherClientKey: p('other-client.key'),
  };
}

export interface EtcdMember {
  name: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  process?: ChildProcess;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface EtcdCluster {
  members: EtcdMember[];
  endpoints: string[];
  tls?: TlsFiles;
  binDir: string;
  root: string;
  /** A client for the whole cluster (with the right certs). */
  client(): Etcd3;
  stop(): Promise<void>;
}

export interface EtcdClusterOptions {
  size?: 1 | 3;
  tls?: boolean;
  version?: '3.4' | '3.6';
  quotaBytes?: number;
}

/** Starts a real etcd cluster on free loopback ports; each member's process is ours to stop. */
export async function startEtcdCluster(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  const size = options.size ?? 1;
  const binDir = etcdBinDir(options.version ?? '3.4');
  if (!binDir) throw new Error(`etcd ${options.version} is not installed (see .ci/run)`);
  const tls = options.tls ? makeTlsFiles() : undefined;
  const scheme = tls ? 'https' : 'http';
  const root = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-etcd-'));
  const specs = [];
  for (let i = 0; i < size; i++) {
    specs.push({ name: `m${i + 1}`, client: await freePort(), peer: await freePort() });
  }
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(',');
  const members: EtcdMember[] = specs.map((s) => {
    const dataDir = path.join(root, s.name);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const member: EtcdMember = {
      name: s.name,
      clientUrl: `${scheme}://127.0.0.1:${s.client}`,
      peerUrl: `http://127.0.0.1:${s.peer}`,
      dataDir,
      async start() {
        const args = [
          `--name=${s.name}`,
          `--data-dir=${dataDir}`,
          `--listen-client-urls=${member.clientUrl}`,
          `--advertise-client-urls=${member.clientUrl}`,
          `--listen-peer-urls=${member.peerUrl}`,
          `--initial-advertise-peer-urls=${member.peerUrl}`,
          `--initial-cluster=${initialCluster}`,
          '--initial-cluster-token=kubesafe-test',
          '--log-level=error',
          `--quota-backend-bytes=${options.quotaBytes ?? 4 * 1024 * 1024 * 1024}`,
        ];
        if (tls) {
          args.push(
            `--cert-file=${tls.serverCert}`,
            `--key-file=${tls.serverKey}`,
            `--trusted-ca-file=${tls.ca}`,
            '--client-cert-auth',
          );
        }
        member.process = spawn(path.join(binDir, 'etcd'), args, { stdio: 'ignore' });
      },
      async stop() {
        const p = member.process;
        if (!p || p.exitCode !== null || p.signalCode !== null) return;
        const exited = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        await exited;
      },
    };
    return member;
  });
  await Promise.all(members.map((m) => m.start()));
  const endpoints = members.map((m) => m.clientUrl);
  const client = () =>
    new Etcd3({
      hosts: endpoints,
      credentials: tls
        ? {
            rootCertificate: Buffer.from(readText(tls.ca)),
            certChain: Buffer.from(readText(tls.clientCert)),
            privateKey: Buffer.from(readText(tls.clientKey)),
          }
        : undefined,
    });
  const cluster: EtcdCluster = {
    members,
    endpoints,
    tls,
    binDir,
    root,
    client,
    async stop() {
      await Promise.all(members.map((m) => m.stop()));
      rmSync(root, { recursive: true, force: true });
      if (tls) rmSync(tls.dir, { recursive: true, force: true });
    },
  };
  await waitHealthy(cluster);
  return cluster;
}

function readText(p: string): string {
  return readFileSync(p, 'utf8');
}

export async function waitHealthy(cluster: EtcdCluster, timeoutMs = 20_000): Promise<void> {
  const c = cluster.client();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await c.get('health').exists();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 150));
      }
    }
  } finally {
    c.close();
  }
}

/** Writes `count` Kubernetes-like keys under /registry/<resource>/<ns>/<name>. */
export async function fillKubernetesLike(client: Etcd3, count: number, valueBytes = 512): Promise<void> {
  const resources = ['pods', 'configmaps', 'secrets', 'services/specs', 'deployments'];
  const batch = 100;
  for (let i = 0; i < count; i += batch) {
    const ops = [];
    for (let j = i; j < Math.min(count, i + batch); j++) {
      const r = resources[j % resources.length]!;
      const value = JSON.stringify({
        kind: r,
        metadata: { name: `obj-${j}`, namespace: `ns-${j % 7}` },
        data: 'x'.repeat(valueBytes),
      });
      ops.push(client.put(`/registry/${r}/ns-${j % 7}/obj-${j}`).value(value));
    }
    await Promise.all(ops);
  }
}
