import { createHmac } from 'node:crypto';

/** One usable known_hosts entry. `@cert-authority` lines are skipped: certificates are not supported. */
export interface KnownHost {
  patterns: string[];
  keyType: string;
  key: Buffer;
  revoked: boolean;
}

/** Parses OpenSSH known_hosts text: plain, `[host]:port`, hashed (`|1|salt|hash`), wildcard and negated names. */
export function parseKnownHosts(text: string): KnownHost[] {
  const out: KnownHost[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0]!.startsWith('@')) {
      const marker = fields.shift()!;
      if (marker === '@cert-authority') continue;
      revoked = marker === '@revoked';
    }
    const [hosts, keyType, key] = fields;
    if (!hosts || !keyType || !key || !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) continue;
    out.push({ patterns: hosts.split(','), keyType, key: Buffer.from(key, 'base64'), revoked });
  }
  return out;
}

/** The name ssh looks a host up by: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function wildcard(pattern: string, name: string): boolean {
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

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return wildcard(pattern, name);
}

function entryMatches(entry: KnownHost, name: string): boolean {
  let matched = false;
  for (const p of entry.patterns) {
    if (p.startsWith('!')) {
      if (patternMatches(p.slice(1), name)) return false;
    } else if (patternMatches(p, name)) matched = true;
  }
  return matched;
}

export type HostKeyVerdict = 'trusted' | 'unknown' | 'mismatch' | 'revoked';

/** Compares the server's key blob (the wire encoding, which embeds its type) with the pinned keys. */
export function verifyHostKey(
  entries: KnownHost[],
  host: string,
  port: number,
  keyBlob: Buffer,
): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const mine = entries.filter((e) => entryMatches(e, name));
  if (mine.some((e) => e.revoked && e.key.equals(keyBlob))) return 'revoked';
  const pinned = mine.filter((e) => !e.revoked);
  if (pinned.some((e) => e.key.equals(keyBlob))) return 'trusted';
  return pinned.length > 0 ? 'mismatch' : 'unknown';
}
