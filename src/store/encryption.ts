import type { Transform } from 'node:stream';

/** Client-side encryption of stored snapshots. Implemented with age in the storage issue. */
export type EncryptionSettings = { kind: 'none' };
export type DecryptionSettings = { kind: 'none' };

export function createEncryptor(settings: EncryptionSettings): Transform | undefined {
  if (settings.kind === 'none') return undefined;
  return undefined;
}

export function createDecryptor(settings: DecryptionSettings): Transform | undefined {
  if (settings.kind === 'none') return undefined;
  return undefined;
}
