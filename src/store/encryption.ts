import { Duplex, PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
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
 * A Node Transform over a web-stream transformation that is only available after an async setup (age
 * writes or reads its header first). Node streams go in and out; the web streams stay inside.
 */
function webTransform(
  make: (input: WebReadableStream<Uint8Array>) => Promise<ReadableStream<Uint8Array>>,
  mapError: (err: unknown) => Error,
): Duplex {
  const input = new PassThrough({ highWaterMark: 1 << 20 });
  const output = new PassThrough({ highWaterMark: 1 << 20 });
  make(Readable.toWeb(input) as WebReadableStream<Uint8Array>)
    .then((web) => pipeline(Readable.fromWeb(web as WebReadableStream<Uint8Array>), output))
    .catch((err: unknown) => {
      input.destroy();
      output.destroy(mapError(err));
    });
  return Duplex.from({ writable: input, readable: output });
}

export function createEncryptor(settings: EncryptionSettings): Duplex | undefined {
  if (settings.kind === 'none') return undefined;
  const e = new Encrypter();
  if (settings.kind === 'passphrase') e.setPassphrase(settings.passphrase);
  else for (const r of settings.recipients) e.addRecipient(r);
  return webTransform(
    (input) => e.encrypt(input as unknown as ReadableStream<Uint8Array>),
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
  return webTransform(
    (input) => d.decrypt(input as unknown as ReadableStream<Uint8Array>),
    (err) => decryptionError(err, settings),
  );
}
