import { createHash, createHmac } from 'node:crypto';
import { InputError } from '../errors.js';

/**
 * OpenSSH known_hosts: the one parser and matcher for every SSH connection the project makes (SFTP
 * stores, etcd members, control-plane hosts). Plain, `[host]:port`, hashed (`|1|salt|hash`), wildcard
 * and negated names; `@revoked` keys; `@cert-authority` lines are skipped (no host certificates).
 */

export interface KnownHostEntry {
  /** Host patterns (`host`, `[host]:port`, globs, `!negations`) or one hashed `|1|salt|hash` name. */
  patterns: string[];
  keyType: string;
  /** Base64 of the public key blob, as in the file. */
  key: string;
  revoked: boolean;
}

const KEY_TYPES =
  /^(ssh-ed25519|ssh-rsa|ssh-dss|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)$/;

/** Parses known_hosts text. `@cert-authority` lines are skipped: host certificates are not supported. */
export function parseKnownHosts(input: string, text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0]!.startsWith('@')) {
      const marker = fields.shift()!;
      if (marker === '@cert-authority') continue;
      if (marker !== '@revoked')
        throw new InputError(
          input,
          line,
          'known_hosts lines ("HOST[,HOST] KEYTYPE BASE64KEY"), markers @revoked or @cert-authority',
        );
      revoked = true;
    }
    const [hosts, keyType, key] = fields;
    if (!hosts || !keyType || !key || !KEY_TYPES.test(keyType) || !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) {
      throw new InputError(
        input,
        line,
        'known_hosts lines ("HOST[,HOST] KEYTYPE BASE64KEY"), e.g. the output of ssh-keyscan',
      );
    }
    out.push({ patterns: hosts.split(','), keyType, key, revoked });
  }
  if (out.length === 0)
    throw new InputError(
      input,
      text.trim(),
      "at least one known_hosts line pinning the members' host keys (ssh-keyscan HOST)",
    );
  return out;
}

/** The name known_hosts uses for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
    'i',
  );
  return re.test(name);
}

function patternsMatch(patterns: string[], name: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('|1|')) {
      const [, , salt, hash] = p.split('|');
      if (
        salt &&
        hash &&
        createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash
      )
        matched = true;
    } else if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) matched = true;
  }
  return matched;
}

/** Entries that apply to `host:port`. */
export function entriesFor(entries: KnownHostEntry[], host: string, port: number): KnownHostEntry[] {
  const name = knownHostsName(host, port);
  return entries.filter((e) => patternsMatch(e.patterns, name));
}

/** OpenSSH's `SHA256:...` fingerprint of a key blob. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** Decides whether a presented host key is pinned: a pinned, non-revoked key for that name. */
export function hostKeyVerdict(
  entries: KnownHostEntry[],
  host: string,
  port: number,
  blob: Buffer,
): 'pinned' | 'revoked' | 'unknown' {
  const key = blob.toString('base64');
  const mine = entriesFor(entries, host, port);
  if (mine.some((e) => e.revoked && e.key === key)) return 'revoked';
  return mine.some((e) => !e.revoked && e.key === key) ? 'pinned' : 'unknown';
}

/** Four-way verdict for messages: a mismatch (the host has a pinned key, but another) is worth saying. */
export function verifyHostKey(
  entries: KnownHostEntry[],
  host: string,
  port: number,
  blob: Buffer,
): 'trusted' | 'unknown' | 'mismatch' | 'revoked' {
  const verdict = hostKeyVerdict(entries, host, port, blob);
  if (verdict === 'pinned') return 'trusted';
  if (verdict === 'revoked') return 'revoked';
  return entriesFor(entries, host, port).some((e) => !e.revoked) ? 'mismatch' : 'unknown';
}

export type HostKeyVerdict = ReturnType<typeof verifyHostKey>;
