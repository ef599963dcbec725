import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/etcd/drill.js';

export interface Sshd {
  host: '127.0.0.1';
  port: number;
  user: string;
  /** The client's private key (OpenSSH PEM), authorized on the server. */
  privateKey: string;
  /** A `known_hosts` line pinning the server's host key. */
  knownHosts: string;
  /** A known_hosts line with a different key for the same host: must be refused. */
  wrongKnownHosts: string;
  /** A scratch folder on the "server" (same machine) that tests may use. */
  root: string;
  stop(): Promise<void>;
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
}

/** A real OpenSSH server on a free loopback port with key auth only, run as the current user. */
export async function startSshd(): Promise<Sshd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-sshd-'));
  const root = path.join(dir, 'root');
  mkdirSync(root);
  mkdirSync('/run/sshd', { recursive: true });
  keygen(path.join(dir, 'host'));
  keygen(path.join(dir, 'other-host'));
  keygen(path.join(dir, 'client'));
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'client.pub')));
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path.join(dir, 'host')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin yes',
    'UsePAM no',
    'StrictModes no',
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    'Subsystem sftp internal-sftp',
    'LogLevel ERROR',
  ].join('\n');
  writeFileSync(path.join(dir, 'sshd_config'), config + '\n');
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(dir, 'sshd_config')], {
    stdio: 'ignore',
  });
  await waitForPort(port);
  const hostPub = readFileSync(path.join(dir, 'host.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const otherPub = readFileSync(path.join(dir, 'other-host.pub'), 'utf8')
    .trim()
    .split(' ')
    .slice(0, 2)
    .join(' ');
  return {
    host: '127.0.0.1',
    port,
    user: os.userInfo().username,
    privateKey: readFileSync(path.join(dir, 'client'), 'utf8'),
    knownHosts: `[127.0.0.1]:${port} ${hostPub}`,
    wrongKnownHosts: `[127.0.0.1]:${port} ${otherPub}`,
    root,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd did not listen on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
