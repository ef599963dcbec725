import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Decrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { IntegrityError } from '../errors.js';
import { readArchive, writeArchive } from './archive.js';
import {
  ageHeaderFor,
  createEncryptor,
  DecryptionKeyError,
  type DecryptionSettings,
  type EncryptionSettings,
} from './encryption.js';
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

describe('encryption to recipients (OpenSSL payload under an age-encryption header)', () => {
  async function encrypt(plain: Buffer, recipients: string[], pieces: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (let at = 0; at < plain.length; at += pieces) parts.push(plain.subarray(at, at + pieces));
    const out = new Collect();
    await pipeline(Readable.from(parts), createEncryptor({ kind: 'recipients', recipients })!, out);
    return out.bytes();
  }

  const chunk = 64 * 1024;
  it.each([
    ['empty', 0],
    ['one byte', 1],
    ['one byte short of a chunk', chunk - 1],
    ['exactly one chunk', chunk],
    ['one byte past a chunk', chunk + 1],
    ['exactly three chunks', 3 * chunk],
    ['several chunks and a tail', 5 * chunk + 12345],
  ])('age-encryption decrypts %s, read in uneven pieces', async (_n, size) => {
    const identity = await generateX25519Identity();
    const plain = randomBytes(size);
    const stored = await encrypt(plain, [await identityToRecipient(identity)], 7777);
    // age's framing: 16-byte tag per 64 KiB chunk, at least one (empty) chunk.
    const chunks = Math.max(1, Math.ceil(size / chunk));
    const header = stored.indexOf('\n---');
    expect(stored.length).toBe(stored.indexOf('\n', header + 1) + 1 + 16 + size + 16 * chunks);
    const d = new Decrypter();
    d.addIdentity(identity);
    expect(Buffer.from(await d.decrypt(stored)).equals(plain)).toBe(true);
  });

  it('writes a header every recipient can open, and a fresh file key every time', async () => {
    const a = await generateX25519Identity();
    const b = await generateX25519Identity();
    const recipients = [await identityToRecipient(a), await identityToRecipient(b)];
    const plain = randomBytes(100_000);
    const first = await encrypt(plain, recipients, 65536);
    const second = await encrypt(plain, recipients, 65536);
    for (const id of [a, b]) {
      const d = new Decrypter();
      d.addIdentity(id);
      expect(Buffer.from(await d.decrypt(first)).equals(plain)).toBe(true);
    }
    expect(first.subarray(-1000).equals(second.subarray(-1000))).toBe(false);
    expect((await ageHeaderFor(recipients)).fileKey).toHaveLength(16);
  });

  it('is refused by age-encryption once a chunk is altered or the last chunk is dropped', async () => {
    const identity = await generateX25519Identity();
    const plain = randomBytes(3 * chunk + 10);
    const stored = await encrypt(plain, [await identityToRecipient(identity)], 65536);
    const d = new Decrypter();
    d.addIdentity(identity);
    const flipped = Buffer.from(stored);
    flipped[flipped.length - 100]! ^= 1;
    await expect(d.decrypt(flipped)).rejects.toThrow();
    // Dropping the final (flagged) chunk leaves a stream that ends on an unflagged chunk.
    await expect(d.decrypt(stored.subarray(0, stored.length - (10 + 16)))).rejects.toThrow();
  });
});
