import { Duplex } from 'node:stream';
import { Decrypter, Encrypter } from 'age-encryption';
import { IntegrityError, KubesafeError } from '../errors.js';

/**
 * Client-side encryption of stored snapshots with age (age-encryption.org/v1).
 *
 * Why age: an etcd snapshot holds every Secret of the cluster. age's payload is ChaCha20-Poly1305 in
 * 64 KiB chunks (the STREAM construction), so it is *authenticated* (a flipped, truncated or reordered
 * chunk fails to decrypt instead of yielding altered plaintext) and *streaming* (memory stays flat for a
 * database of any size). It is a published format with interoperable tools (`age -d`), so a snapshot can
 * be decrypted without kubesafe. A passphrase (scrypt) is the simplest; X25519 recipients let a workflow
 * encrypt with public keys only, keeping the private key (the identity) away from CI.
 */
export type EncryptionSettings =
  | { kind: 'none' }
  | { kind: 'passphrase'; passphrase: string }
  | { kind: 'recipients'; recipients: string[] };

export type DecryptionSettings =
  | { kind: 'none' }
  | { kind: 'passphrase'; passphrase: string }
  | { kind: 'identities'; identities: string[] };

/** What the manifest records about the encryption: never a key. */
export interface EncryptionRecord {
  kind: 'none' | 'age-passphrase' | 'age-x25519';
  recipients?: string[];
}

export function encryptionRecord(settings: EncryptionSettings): EncryptionRecord {
  if (settings.kind === 'passphrase') return { kind: 'age-passphrase' };
  if (settings.kind === 'recipients') return { kind: 'age-x25519', recipients: settings.recipients };
  return { kind: 'none' };
}

const AGE_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;
const AGE_IDENTITY = /^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/;

export function isAgeRecipient(value: string): boolean {
  return AGE_RECIPIENT.test(value);
}

export function isAgeIdentity(value: string): boolean {
  return AGE_IDENTITY.test(value);
}

/** The private keys in an age identity file (comments and blank lines ignored). */
export function parseIdentityFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * A Node Duplex over a web-stream transformation that is only available after an async setup (age
 * writes or reads its header first). Node streams go in and out; the web streams stay inside, and every
 * error leaves through `mapError`, so callers see IntegrityError or DecryptionKeyError, never age's text alone.
 */
class WebTransformDuplex extends Duplex {
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private reader?: ReadableStreamDefaultReader<Uint8Array>;
  private readonly ready: Promise<void>;
  private pendingWrite?: () => void;

  constructor(
    make: (input: ReadableStream<Uint8Array>) => Promise<ReadableStream<Uint8Array>>,
    private readonly mapError: (err: unknown) => Error,
  ) {
    super({ readableHighWaterMark: 1 << 20, writableHighWaterMark: 1 << 20 });
    const input = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.controller = c;
        },
        pull: () => this.releaseWrite(),
      },
      { highWaterMark: 4 },
    );
    this.ready = make(input).then((out) => {
      this.reader = out.getReader();
    });
    this.ready.catch((err: unknown) => this.destroy(this.mapError(err)));
  }

  private releaseWrite(): void {
    const cb = this.pendingWrite;
    this.pendingWrite = undefined;
    cb?.();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    // Backpressure: hold the callback until the web side wants more.
    if ((this.controller.desiredSize ?? 0) > 0) cb();
    else this.pendingWrite = cb;
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.controller.close();
    cb();
  }

  override _read(): void {
    this.ready.then(
      async () => {
        try {
          const { done, value } = await this.reader!.read();
          if (done) this.push(null);
          else this.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
        } catch (err) {
          this.destroy(this.mapError(err));
        }
      },
      () => undefined,
    );
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.reader?.cancel(err ?? undefined).catch(() => undefined);
    try {
      this.controller.error(err ?? new Error('stream destroyed'));
    } catch {
      // already closed
    }
    this.releaseWrite();
    cb(err);
  }
}

export function createEncryptor(settings: EncryptionSettings): Duplex | undefined {
  if (settings.kind === 'none') return undefined;
  const e = new Encrypter();
  if (settings.kind === 'passphrase') e.setPassphrase(settings.passphrase);
  else for (const r of settings.recipients) e.addRecipient(r);
  return new WebTransformDuplex(
    (input) => e.encrypt(input),
    (err) => new KubesafeError(`encryption failed: ${err instanceof Error ? err.message : String(err)}`),
  );
}

/** Turns age's errors into ours: a bad header MAC or chunk means tampering or corruption, no match means the wrong key. */
export function decryptionError(err: unknown, settings: DecryptionSettings): Error {
  if (err instanceof KubesafeError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/no identity matched/i.test(msg)) {
    const input = settings.kind === 'passphrase' ? 'encryption-key' : 'decryption-identity';
    return new DecryptionKeyError(
      `${input}: the key given does not decrypt this snapshot (age: ${msg}); use the passphrase or the identity whose recipient encrypted it (see the manifest's encryption field)`,
    );
  }
  return new IntegrityError(
    `decryption failed: the stored object is corrupt or was modified (age: ${msg}); it must not be restored`,
  );
}

/** The key given is not the one the snapshot was encrypted with. Names the input, never the key. */
export class DecryptionKeyError extends KubesafeError {}

export function createDecryptor(settings: DecryptionSettings): Duplex | undefined {
  if (settings.kind === 'none') return undefined;
  const d = new Decrypter();
  if (settings.kind === 'passphrase') d.addPassphrase(settings.passphrase);
  else for (const id of settings.identities) d.addIdentity(id);
  return new WebTransformDuplex(
    (input) => d.decrypt(input),
    (err) => decryptionError(err, settings),
  );
}
