import { createHmac, randomBytes } from 'node:crypto';
import { InputError } from '../errors.js';
import {
  entriesFor,
  fingerprint,
  hostKeyAlgorithms,
  hostKeyVerdict,
  knownHostsName,
  parseKnownHosts,
  shellQuote,
} from './ssh.js';

const keyA = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIKeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'base64');
const keyB = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIKeyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', 'base64');
const a = keyA.toString('base64');
const b = keyB.toString('base64');

describe('known_hosts', () => {
  it('names hosts as ssh does: bare on port 22, [host]:port otherwise', () => {
    expect(knownHostsName('10.0.0.1', 22)).toBe('10.0.0.1');
    expect(knownHostsName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
  });

  it('pins keys by host and port; another port or key is unknown', () => {
    const entries = parseKnownHosts(
      'ssh-known-hosts',
      `# comment\n[127.0.0.1]:2222 ssh-ed25519 ${a}\ncp1,10.0.0.1 ssh-ed25519 ${b} root@cp1\n`,
    );
    expect(hostKeyVerdict(entries, '127.0.0.1', 2222, keyA)).toBe('pinned');
    expect(hostKeyVerdict(entries, '127.0.0.1', 2222, keyB)).toBe('unknown');
    expect(hostKeyVerdict(entries, '127.0.0.1', 22, keyA)).toBe('unknown');
    expect(hostKeyVerdict(entries, '10.0.0.1', 22, keyB)).toBe('pinned');
    expect(hostKeyVerdict(entries, 'cp1', 22, keyB)).toBe('pinned');
  });

  it('matches hashed names, globs and negations', () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[cp2]:2200').digest('base64');
    const entries = parseKnownHosts(
      'k',
      `|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${a}\n*.internal,!evil.internal ssh-ed25519 ${b}`,
    );
    expect(hostKeyVerdict(entries, 'cp2', 2200, keyA)).toBe('pinned');
    expect(hostKeyVerdict(entries, 'cp2', 22, keyA)).toBe('unknown');
    expect(hostKeyVerdict(entries, 'cp3.internal', 22, keyB)).toBe('pinned');
    expect(hostKeyVerdict(entries, 'evil.internal', 22, keyB)).toBe('unknown');
  });

  it('refuses a revoked key even when also listed', () => {
    const entries = parseKnownHosts('k', `cp1 ssh-ed25519 ${a}\n@revoked cp1 ssh-ed25519 ${a}`);
    expect(hostKeyVerdict(entries, 'cp1', 22, keyA)).toBe('revoked');
  });

  it('offers only the pinned key types, RSA with its SHA-2 signatures', () => {
    const entries = parseKnownHosts(
      'k',
      `cp1 ssh-rsa ${a}\ncp1 ssh-ed25519 ${b}\nother ecdsa-sha2-nistp256 ${a}`,
    );
    expect(hostKeyAlgorithms(entriesFor(entries, 'cp1', 22))).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
      'ssh-ed25519',
    ]);
  });

  it('refuses text that is not known_hosts, naming the input', () => {
    expect(() => parseKnownHosts('ssh-known-hosts', 'not a key line')).toThrow(InputError);
    expect(() => parseKnownHosts('ssh-known-hosts', '')).toThrow(/^ssh-known-hosts: /);
  });

  it('prints fingerprints as OpenSSH does', () => {
    expect(fingerprint(keyA)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('shellQuote', () => {
  it('leaves plain words and quotes the rest', () => {
    expect(shellQuote('/var/lib/etcd')).toBe('/var/lib/etcd');
    expect(shellQuote("it's $(x)")).toBe(`'it'\\''s $(x)'`);
  });
});
