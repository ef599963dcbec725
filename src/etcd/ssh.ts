import net from 'node:net';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client, type ConnectConfig, type ServerHostKeyAlgorithm } from 'ssh2';
import {
  entriesFor,
  fingerprint,
  hostKeyVerdict,
  knownHostsName,
  type KnownHostEntry,
} from '../ssh/known-hosts.js';
import { KubesafeError, PreconditionFailed, TimeoutError, errorMessage } from '../errors.js';

/** Where one SSH session goes. */
export interface SshTarget {
  host: string;
  port: number;
  user: string;
}

export interface SshCredentials {
  /** OpenSSH or PEM private key text. */
  privateKey: string;
  passphrase?: string;
  knownHosts: KnownHostEntry[];
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The little a remote procedure needs from a host: run a command, receive a file. */
export interface SshSession {
  /** `user@host:port`, for messages. */
  readonly label: string;
  exec(command: string, timeoutMs?: number): Promise<ExecResult>;
  /** Writes `body` to `remotePath` (created with `mode`, 0600 by default). */
  upload(body: Readable, remotePath: string, mode?: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens a session to a host with credentials already bound (the user, key and known hosts). */
export type OpenSshSession = (at: { host: string; port: number }) => Promise<SshSession>;

export {
  entriesFor,
  fingerprint,
  hostKeyVerdict,
  knownHostsName,
  parseKnownHosts,
  type KnownHostEntry,
} from '../ssh/known-hosts.js';

/** Host key algorithms to offer: only those of the pinned keys, so a server with several keys shows a pinned one. */
export function hostKeyAlgorithms(entries: KnownHostEntry[]): ServerHostKeyAlgorithm[] {
  const out = new Set<ServerHostKeyAlgorithm>();
  for (const e of entries) {
    if (e.revoked) continue;
    if (e.keyType === 'ssh-rsa')
      ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'].forEach((a) => out.add(a as ServerHostKeyAlgorithm));
    else out.add(e.keyType as ServerHostKeyAlgorithm);
  }
  return [...out];
}

// ---------------------------------------------------------------------------------------------------
// sessions

const MAX_CAPTURE = 64 * 1024;

function keepTail(s: string, more: Buffer): string {
  const next = s + more.toString();
  return next.length > MAX_CAPTURE ? next.slice(-MAX_CAPTURE) : next;
}

/** `user@host:port` */
export function targetLabel(t: SshTarget): string {
  return `${t.user}@${t.host}:${t.port}`;
}

/**
 * Connects with key auth and host-key pinning: a host whose key is not in `knownHosts` is refused
 * before authentication, with the key's fingerprint in the message so a person can check it.
 */
export async function openSshSession(
  target: SshTarget,
  creds: SshCredentials,
  timeoutMs = 20_000,
): Promise<SshSession> {
  const label = targetLabel(target);
  const pinned = entriesFor(creds.knownHosts, target.host, target.port).filter((e) => !e.revoked);
  if (pinned.length === 0) {
    throw new PreconditionFailed(
      `ssh ${label}: ssh-known-hosts has no key for ${knownHostsName(target.host, target.port)}; add its line (ssh-keyscan -p ${target.port} ${target.host})`,
    );
  }
  const sock = net.connect({ host: target.host, port: target.port });
  // Without it, uploads crawl on Nagle + delayed ACK (measured: 50 MiB in 29 s on loopback).
  sock.setNoDelay(true);
  const conn = new Client();
  let refusal: string | undefined;
  const config: ConnectConfig = {
    sock,
    username: target.user,
    privateKey: creds.privateKey,
    passphrase: creds.passphrase,
    readyTimeout: timeoutMs,
    algorithms: { serverHostKey: hostKeyAlgorithms(pinned) },
    hostVerifier: (blob: Buffer) => {
      const verdict = hostKeyVerdict(creds.knownHosts, target.host, target.port, blob);
      if (verdict !== 'pinned') {
        refusal = `ssh ${label}: host key ${fingerprint(blob)} is ${verdict === 'revoked' ? 'revoked' : 'not pinned'} in ssh-known-hosts; refusing to connect`;
      }
      return verdict === 'pinned';
    },
  };
  await new Promise<void>((resolve, reject) => {
    conn.once('ready', () => resolve());
    conn.once('error', (err) => {
      sock.destroy();
      reject(
        refusal ? new PreconditionFailed(refusal) : new KubesafeError(`ssh ${label}: ${errorMessage(err)}`),
      );
    });
    conn.connect(config);
  });
  return {
    label,
    exec: (command, execTimeoutMs = 10 * 60_000) =>
      new Promise<ExecResult>((resolve, reject) => {
        conn.exec(command, (err, stream) => {
          if (err) return reject(new KubesafeError(`ssh ${label}: cannot run a command: ${err.message}`));
          let stdout = '';
          let stderr = '';
          const timer = setTimeout(() => {
            stream.close();
            reject(
              new TimeoutError(
                `ssh ${label}: the command did not finish within ${Math.round(execTimeoutMs / 1000)} s`,
              ),
            );
          }, execTimeoutMs);
          stream.on('data', (d: Buffer) => (stdout = keepTail(stdout, d)));
          stream.stderr.on('data', (d: Buffer) => (stderr = keepTail(stderr, d)));
          stream.on('close', (code: number | null, signal?: string) => {
            clearTimeout(timer);
            resolve({ code: code ?? (signal ? 128 : 255), stdout, stderr });
          });
        });
      }),
    upload: (body, remotePath, mode = 0o600) =>
      new Promise<void>((resolve, reject) => {
        conn.sftp((err, sftp) => {
          if (err) return reject(new KubesafeError(`ssh ${label}: sftp is not available: ${err.message}`));
          pipeline(body, sftp.createWriteStream(remotePath, { mode }))
            .then(() => (sftp.end(), resolve()))
            .catch(
              (e: unknown) => (
                sftp.end(),
                reject(new KubesafeError(`ssh ${label}: upload to ${remotePath} failed: ${errorMessage(e)}`))
              ),
            );
        });
      }),
    close: async () => {
      const closed = new Promise<void>((r) => conn.once('close', () => r()));
      conn.end();
      await closed;
    },
  };
}

export { shellQuote } from '../ssh/shell.js';
