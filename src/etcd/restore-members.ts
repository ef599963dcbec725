import { InputError } from '../errors.js';
import { parseList } from '../inputs.js';
import type { ManifestMember } from '../store/manifest.js';

/** One member as the restore sees it: who it is in the cluster, how to reach its host, where its data lives. */
export interface RestoreMember {
  name: string;
  peerUrls: string[];
  /** From the manifest; empty for a member that only the `members` input names. */
  clientUrls: string[];
  ssh: { host: string; port: number };
  dataDir: string;
}

/** One entry of the `members` input; what it leaves out comes from the manifest and the defaults. */
export interface MemberSpec {
  name: string;
  peerUrl?: string;
  ssh?: { host: string; port?: number };
  dataDir?: string;
}

export const MEMBERS_SYNTAX =
  'entries NAME[=PEER_URL][@SSH_HOST[:SSH_PORT]][#DATA_DIR], comma or newline separated, ' +
  'e.g. cp1=https://10.0.0.10:2380@10.0.0.10:22#/var/lib/etcd';

const NAME = /^[A-Za-z0-9][\w.-]*$/;
const HOST = /^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
// Data dirs are pasted into shell scripts: only characters that need no quoting, and no `..`.
const DATA_DIR = /^\/[A-Za-z0-9._/-]*$/;

export function validateDataDir(input: string, value: string): string {
  const dir = value.replace(/\/+$/, '');
  if (!DATA_DIR.test(value) || dir === '' || dir.split('/').includes('..')) {
    throw new InputError(
      input,
      value,
      'an absolute path made of letters, digits, ".", "_", "-" and "/", such as /var/lib/etcd',
    );
  }
  return dir;
}

export function validatePeerUrl(input: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(input, value, 'a peer URL such as https://10.0.0.10:2380');
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.hostname === '' ||
    url.port === '' ||
    url.username ||
    url.pathname !== '/'
  ) {
    throw new InputError(
      input,
      value,
      'a peer URL with scheme, host and port, such as https://10.0.0.10:2380',
    );
  }
  return `${url.protocol}//${url.host}`;
}

function parseSshHost(input: string, entry: string, text: string): { host: string; port?: number } {
  const m = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(text) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(text);
  const host = m?.[1];
  const port = m?.[2] === undefined ? undefined : Number(m[2]);
  const hostOk = host !== undefined && (net4(host) || host.includes(':') || HOST.test(host));
  if (!hostOk || (port !== undefined && (port < 1 || port > 65535))) {
    throw new InputError(
      input,
      entry,
      `${MEMBERS_SYNTAX}; the SSH host is a name, an IPv4 address or [IPv6], with an optional :PORT`,
    );
  }
  return port === undefined ? { host: host! } : { host: host!, port };
}

function net4(h: string): boolean {
  return /^(\d{1,3})(\.\d{1,3}){3}$/.test(h) && h.split('.').every((o) => Number(o) <= 255);
}

/** Parses the `members` input. Pure; every problem names the entry. */
export function parseMemberSpecs(input: string, value: string): MemberSpec[] {
  const specs: MemberSpec[] = [];
  for (const entry of parseList(value)) {
    let rest = entry;
    const spec: MemberSpec = { name: '' };
    const hash = rest.indexOf('#');
    if (hash >= 0) {
      spec.dataDir = validateDataDir(input, rest.slice(hash + 1));
      rest = rest.slice(0, hash);
    }
    const at = rest.lastIndexOf('@');
    if (at >= 0) {
      spec.ssh = parseSshHost(input, entry, rest.slice(at + 1));
      rest = rest.slice(0, at);
    }
    const eq = rest.indexOf('=');
    if (eq >= 0) {
      spec.peerUrl = validatePeerUrl(input, rest.slice(eq + 1));
      rest = rest.slice(0, eq);
    }
    if (!NAME.test(rest))
      throw new InputError(input, entry, `${MEMBERS_SYNTAX}; NAME is letters, digits, ".", "_", "-"`);
    spec.name = rest;
    if (specs.some((s) => s.name === spec.name))
      throw new InputError(input, entry, `${MEMBERS_SYNTAX}; each member once (${spec.name} appears twice)`);
    specs.push(spec);
  }
  if (specs.length === 0) throw new InputError(input, value, MEMBERS_SYNTAX);
  return specs;
}

export interface MemberDefaults {
  dataDir: string;
  sshPort: number;
}

/**
 * The members to restore: the `members` entries when given (completed from the manifest member of the
 * same name), else every member the manifest recorded, reached over SSH at its peer URL's host.
 */
export function resolveMembers(
  specs: MemberSpec[] | undefined,
  recorded: ManifestMember[],
  defaults: MemberDefaults,
): RestoreMember[] {
  const byName = new Map(recorded.map((m) => [m.name, m]));
  const wanted: MemberSpec[] = specs ?? recorded.map((m) => ({ name: m.name }));
  if (wanted.length === 0)
    throw new InputError('members', '', `${MEMBERS_SYNTAX} (the manifest records no members)`);
  const out = wanted.map((spec): RestoreMember => {
    const known = byName.get(spec.name);
    if (spec.name === '' || (!known && !spec.peerUrl)) {
      const names = recorded.map((m) => m.name).filter(Boolean);
      throw new InputError(
        'members',
        spec.name,
        `a member recorded in the manifest (${names.join(', ') || 'none'}) or an entry with its peer URL: ${MEMBERS_SYNTAX}`,
      );
    }
    const peerUrls = spec.peerUrl ? [spec.peerUrl] : known!.peerUrls;
    if (peerUrls.length === 0)
      throw new InputError(
        'members',
        spec.name,
        `${MEMBERS_SYNTAX}; the manifest has no peer URL for ${spec.name}`,
      );
    const peerHost = new URL(peerUrls[0]!).hostname.replace(/^\[|\]$/g, '');
    return {
      name: spec.name,
      peerUrls,
      clientUrls: known?.clientUrls ?? [],
      ssh: { host: spec.ssh?.host ?? peerHost, port: spec.ssh?.port ?? defaults.sshPort },
      dataDir: spec.dataDir ?? defaults.dataDir,
    };
  });
  const places = new Set<string>();
  for (const m of out) {
    const place = `${m.ssh.host}:${m.ssh.port}:${m.dataDir}`;
    if (places.has(place)) {
      throw new InputError(
        'members',
        m.name,
        `${MEMBERS_SYNTAX}; two members share host ${m.ssh.host}:${m.ssh.port} and data dir ${m.dataDir}`,
      );
    }
    places.add(place);
  }
  return out;
}

/** `--initial-cluster`: every member with every one of its peer URLs. */
export function initialCluster(members: RestoreMember[]): string {
  return members.flatMap((m) => m.peerUrls.map((u) => `${m.name}=${u}`)).join(',');
}
