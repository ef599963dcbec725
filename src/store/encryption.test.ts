import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { IntegrityError } from '../errors.js';
import { readArchive, writeArchive } from './archive.js';
import { DecryptionKeyError, type DecryptionSettings, type EncryptionSettings } from './encryption.js';
import { FileStore } from './file.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PASSPHRASE = 'correct horse battery staple';

class Collect extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(c: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.chunks.push(c);
    cb();
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

describe('client-side encryption in the archive pipeline', () => {
  let dir: string;
  let store: FileStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-enc-'));
    store = new FileStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const data = Buffer.concat([
    randomBytes(300_000),
    Buffer.from('{"kind":"Secret","data":{"password":"hunter2"}}'.repeat(5000)),
  ]);

  async function roundTrip(
    enc: EncryptionSettings,
    dec: DecryptionSettings,
    mutate?: (b: Buffer) => void,
  ): Promise<Buffer> {
    const r = await writeArchive(Readable.from([data]), store, 'snap.db.zst.age', {
      compression: 'zstd',
      encryption: enc,
    });
    if (mutate) {
      const f = path.join(dir, 'snap.db.zst.age');
      const b = readFileSync(f);
      mutate(b);
      writeFileSync(f, b);
    }
    const out = new Collect();
    await readArchive(
      store,
      'snap.db.zst.age',
      {
        compression: 'zstd',
        decryption: dec,
        expected: { rawSha256: r.rawSha256, storedSha256: r.storedSha256 },
      },
      out,
    );
    return out.bytes();
  }

  it('round-trips with a passphrase, and the stored bytes hold no plaintext', async () => {
    expect(
      (
        await roundTrip(
          { kind: 'passphrase', passphrase: PASSPHRASE },
          { kind: 'passphrase', passphrase: PASSPHRASE },
        )
      ).equals(data),
    ).toBe(true);
    const stored = readFileSync(path.join(dir, 'snap.db.zst.age'));
    expect(stored.subarray(0, 22).toString()).toBe('age-encryption.org/v1\n');
    expect(stored.includes(Buffer.from('hunter2'))).toBe(false);
  }, 30_000);

  it('round-trips with X25519 recipients, decrypted by either identity', async () => {
    const a = await generateX25519Identity();
    const b = await generateX25519Identity();
    const enc: EncryptionSettings = {
      kind: 'recipients',
      recipients: [await identityToRecipient(a), await identityToRecipient(b)],
    };
    expect((await roundTrip(enc, { kind: 'identities', identities: [b] })).equals(data)).toBe(true);
  });

  it('a flipped byte fails with an IntegrityError', async () => {
    const err = await roundTrip(
      { kind: 'passphrase', passphrase: PASSPHRASE },
      { kind: 'passphrase', passphrase: PASSPHRASE },
      (b) => {
        b[Math.floor(b.length / 2)]! ^= 0x01;
      },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toMatch(/corrupt or was modified/);
  }, 30_000);

  it('a truncated object fails with an IntegrityError', async () => {
    const a = await generateX25519Identity();
    const enc: EncryptionSettings = { kind: 'recipients', recipients: [await identityToRecipient(a)] };
    await writeArchive(Readable.from([data]), store, 'snap.db.zst.age', {
      compression: 'zstd',
      encryption: enc,
    });
    const f = path.join(dir, 'snap.db.zst.age');
    writeFileSync(f, readFileSync(f).subarray(0, 1000));
    await expect(
      readArchive(
        store,
        'snap.db.zst.age',
        {
          compression: 'zstd',
          decryption: { kind: 'identities', identities: [a] },
          expected: { rawSha256: 'x', storedSha256: 'y' },
        },
        new Collect(),
      ),
    ).rejects.toThrow(IntegrityError);
  });

  it('a wrong key fails clearly, and no key appears in the message', async () => {
    const err = await roundTrip(
      { kind: 'passphrase', passphrase: PASSPHRASE },
      { kind: 'passphrase', passphrase: 'not the passphrase at all' },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecryptionKeyError);
    expect((err as Error).message).toMatch(/^encryption-key: the key given does not decrypt this snapshot/);
    expect((err as Error).message).not.toMatch(/not the passphrase|correct horse/);

    const a = await generateX25519Identity();
    const other = await generateX25519Identity();
    const err2 = await roundTrip(
      { kind: 'recipients', recipients: [await identityToRecipient(a)] },
      { kind: 'identities', identities: [other] },
    ).catch((e: unknown) => e);
    expect((err2 as Error).message).toMatch(/^decryption-identity: the key given does not decrypt/);
    expect((err2 as Error).message).not.toContain(other);
    expect((err2 as Error).message).not.toContain('AGE-SECRET-KEY');
  }, 30_000);
});
