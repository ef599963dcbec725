import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { StoreError } from '../../src/errors.js';
import { RecordingReporter } from '../../src/report.js';
import { openStore } from '../../src/store/open.js';
import type { SftpOptions } from '../../src/store/options.js';
import type { BackupStore } from '../../src/store/store.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { randomStream, retentionRunLeaves, RETENTION_SURVIVORS, sha256Of } from '../helpers/store-checks.js';

describe('SFTP store against OpenSSH', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => sshd?.stop());

  const options = (o: Partial<SftpOptions> = {}): SftpOptions => ({
    privateKey: sshd.privateKey,
    knownHosts: sshd.knownHosts,
    insecureAcceptHostKey: false,
    readyTimeoutMs: 10_000,
    ...o,
  });
  const open = (
    folder: string,
    o: Partial<SftpOptions> = {},
    reporter = new RecordingReporter(),
  ): Promise<BackupStore> =>
    openStore(
      {
        scheme: 'sftp',
        user: sshd.user,
        host: sshd.host,
        port: sshd.port,
        root: path.join(sshd.root, folder),
      },
      { sftp: options(o) },
      reporter,
    );

  it('uploads, lists, gets and deletes, writing through a temporary name', async () => {
    const store = await open('objects');
    try {
      const src = randomStream(24 << 20);
      await store.put('prod/snap.db.zst', src.stream);
      expect(readdirSync(path.join(sshd.root, 'objects/prod'))).toEqual(['snap.db.zst']);
      expect(await sha256Of(await store.get('prod/snap.db.zst'))).toEqual({
        sha256: src.sha256(),
        bytes: 24 << 20,
      });
      expect((await store.list('prod/')).map((o) => [o.key, o.sizeBytes])).toEqual([
        ['prod/snap.db.zst', 24 << 20],
      ]);
      expect(await store.exists('prod/snap.db.zst')).toBe(true);
      await store.delete('prod/snap.db.zst');
      await store.delete('prod/snap.db.zst');
      expect(existsSync(path.join(sshd.root, 'objects/prod/snap.db.zst'))).toBe(false);
      await expect(store.get('prod/snap.db.zst')).rejects.toThrow(/no such object/);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('applies retention key by key, keeping pins and other clusters', async () => {
    const store = await open('retention');
    try {
      expect(await retentionRunLeaves(store)).toEqual(RETENTION_SURVIVORS);
    } finally {
      await store.close();
    }
  });

  it('refuses an unknown host key, and a different pinned one', async () => {
    await expect(open('x', { knownHosts: '' })).rejects.toThrow(
      /host key SHA256:\S+ is not pinned for \[127\.0\.0\.1\]:\d+/,
    );
    await expect(open('x', { knownHosts: sshd.wrongKnownHosts })).rejects.toThrow(StoreError);
    await expect(open('x', { knownHosts: sshd.wrongKnownHosts })).rejects.toThrow(
      /differs from the one pinned/,
    );
  });

  it('accepts an unknown host key only when told to, with a warning', async () => {
    const reporter = new RecordingReporter();
    const store = await open('insecure', { knownHosts: '', insecureAcceptHostKey: true }, reporter);
    await store.close();
    expect(reporter.lines.join('\n')).toMatch(/warning: .*accepting the unpinned host key SHA256:/);
  });

  it('says clearly when the key is rejected', async () => {
    const { execFileSync } = await import('node:child_process');
    const dir = path.join(sshd.root, '..');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'stranger')]);
    const { readFileSync } = await import('node:fs');
    await expect(open('x', { privateKey: readFileSync(path.join(dir, 'stranger'), 'utf8') })).rejects.toThrow(
      /rejected the key in ssh-private-key/,
    );
  });
});
