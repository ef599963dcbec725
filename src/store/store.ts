import type { Readable } from 'node:stream';

export interface StoredObject {
  /** Key relative to the store's root, `/`-separated. */
  key: string;
  sizeBytes: number;
  modified: Date;
}

export interface PutOptions {
  /** Expected size when known (progress, multipart sizing). */
  sizeHint?: number;
  contentType?: string;
}

/**
 * Where snapshots and manifests live. Keys are `/`-separated paths under the store's root (the URI's
 * path or prefix). A `put` is all-or-nothing: a reader never sees a partial object under `key`.
 */
export interface BackupStore {
  /** The store's root URI, without credentials: safe to log. */
  readonly rootUri: string;
  put(key: string, body: Readable, options?: PutOptions): Promise<void>;
  get(key: string): Promise<Readable>;
  /** Objects whose key starts with `prefix`, recursively. */
  list(prefix: string): Promise<StoredObject[]>;
  exists(key: string): Promise<boolean>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** A URI for `key` that `openStoreForUri` resolves back to this store and key. */
  uriFor(key: string): string;
  /** A time-limited HTTP URL for `key`, where the backend supports it. */
  presign?(key: string, expiresSeconds: number): Promise<string>;
  close(): Promise<void>;
}

export function joinKey(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split('/'))
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}
