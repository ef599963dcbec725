import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { run } from '../../src/actions/etcd-snapshot.js';
import { fetchCompanions, putBackCommand } from '../../src/etcd/companions.js';
import { openSshSession } from '../../src/etcd/ssh.js';
import { parseKnownHosts } from '../../src/etcd/ssh.js';
import { inputsFrom } from '../../src/inputs.js';
import { RecordingReporter } from '../../src/report.js';
import { FileStore } from '../../src/store/file.js';
import type { SnapshotManifest } from '../../src/store/manifest.js';
import { parseStoreSettings } from '../../src/store/settings.js';
import { startEtcdCluster, type EtcdCluster } from '../helpers/etcd.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';

// The "control-plane host" is this machine through a real sshd; its files live under a scratch folder.
let sshd: Sshd;
let cluster: EtcdCluster;
let pki: string;
const PASSPHRASE = 'correct horse battery staple companions';
const contents: Record<string, Buffer> = {};

beforeAll(async () => {
  sshd = await startSshd();
  cluster = await startEtcdCluster();
  pki = path.join(sshd.root, 'etc/kubernetes/pki');
  mkdirSync(pki, { recursive: true });
  execFileSync('openssl', ['genrsa', '-out', path.join(pki, 'sa.key'), '2048'], { stdio: 'pipe' });
  execFileSync(
    'openssl',
    ['rsa', '-in', path.join(pki, 'sa.key'), '-pubout', '-out', path.join(pki, 'sa.pub')],
    { stdio: 'pipe' },
  );
  writeFileSync(
    path.join(pki, 'encryption-config.yaml'),
    'kind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - aescbc:\n      keys:\n      - name: key1\n        secret: c2VjcmV0LWtleS1mb3ItdGVzdHMtMzItYnl0ZXMhIQ==\n',
  );
  for (const f of ['sa.key', 'sa.pub', 'encryption-config.yaml'])
    contents[f] = readFileSync(path.join(pki, f));
});

afterAll(async () => {
  await cluster.stop();
  await sshd.stop();
});

function inputs(dest: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    endpoints: cluster.endpoints[0]!,
    destination: dest,
    'companion-files': ['sa.key', 'sa.pub', 'encryption-config.yaml'].map((f) => path.join(pki, f)).join(','),
    'control-plane-hosts': `127.0.0.1:${sshd.port}`,
    'ssh-user': sshd.user,
    'ssh-private-key': sshd.privateKey,
    'ssh-known-hosts': sshd.knownHosts,
    'encryption-key': PASSPHRASE,
    ...extra,
  };
}

describe('companion-files', () => {
  it('are captured, stored encrypted beside the snapshot, listed in its manifest, and put back byte-exact', async () => {
    const dest = path.join(sshd.root, 'store');
    const reporter = new RecordingReporter();
    await run(inputsFrom(inputs(dest)), reporter, {});
    const manifest = JSON.parse(
      readFileSync(new URL(reporter.outputs['manifest-uri']!).pathname, 'utf8'),
    ) as SnapshotManifest;
    const c = manifest.companions![0]!;
    expect(c.files.sort()).toEqual(
      ['encryption-config.yaml', 'sa.key', 'sa.pub'].map((f) => path.join(pki, f)).sort(),
    );
    const stored = readFileSync(path.join(dest, c.key));
    expect(stored.subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    for (const body of Object.values(contents)) expect(stored.includes(body.subarray(30, 90))).toBe(false);
    // Never printed: neither the key material nor the passphrase reaches the log.
    const log = reporter.lines.join('\n') + reporter.summaries.join('\n');
    expect(log).not.toContain(contents['sa.key']!.toString().split('\n')[1]!);
    expect(log).not.toContain('c2VjcmV0LWtleS1mb3ItdGVzdHMtMzItYnl0ZXMhIQ==');
    expect(log).not.toContain(PASSPHRASE);

    // The cluster is lost: the files are gone. Fetch, decrypt, verify and put them back over SSH.
    rmSync(pki, { recursive: true, force: true });
    const storeSettings = parseStoreSettings(
      inputsFrom({ destination: dest, 'encryption-key': PASSPHRASE }),
      () => undefined,
    );
    const tar = await fetchCompanions(new FileStore(dest), manifest, storeSettings);
    const session = await openSshSession(
      { host: '127.0.0.1', port: sshd.port, user: sshd.user },
      { privateKey: sshd.privateKey, knownHosts: parseKnownHosts('k', sshd.knownHosts) },
    );
    try {
      await session.upload(
        (await import('node:stream')).Readable.from([tar!]),
        path.join(sshd.root, 'c.tar'),
      );
      const r = await session.exec(putBackCommand(c.files, path.join(sshd.root, 'c.tar'), 'test'));
      expect(r.code).toBe(0);
    } finally {
      await session.close();
    }
    for (const [f, body] of Object.entries(contents))
      expect(readFileSync(path.join(pki, f)).equals(body)).toBe(true);
  });

  it('are refused without encryption, before anything is stored', async () => {
    const dest = path.join(sshd.root, 'plain');
    await expect(
      run(inputsFrom(inputs(dest, { 'encryption-key': '' })), new RecordingReporter(), {}),
    ).rejects.toThrow(
      /companion-files: .* expected encryption-key or encryption-recipients to be set as well/,
    );
    expect(() => readdirSync(dest)).toThrow();
  });

  it('fail the snapshot, leaving no snapshot and no manifest, when a named file is missing', async () => {
    const dest = path.join(sshd.root, 'missing');
    const extra = { 'companion-files': path.join(pki, 'nope.key') };
    await expect(run(inputsFrom(inputs(dest, extra)), new RecordingReporter(), {})).rejects.toThrow(
      /companion-files: not found on .*nope\.key/,
    );
    expect(readdirSync(dest, { recursive: true }).filter((f) => !String(f).endsWith('default'))).toEqual([]);
  });
});
