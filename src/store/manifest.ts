import type { Compression } from './archive.js';
import type { EncryptionRecord } from './encryption.js';

export const MANIFEST_SCHEMA = 'kubesafe.dev/etcd-snapshot/v1';

export interface ManifestMember {
  name: string;
  /** Decimal string: member ids are uint64 and do not fit a JS number. */
  id: string;
  peerUrls: string[];
  clientUrls: string[];
}

/** Written beside every snapshot, last: a snapshot without a manifest was never completed. */
export interface SnapshotManifest {
  schema: typeof MANIFEST_SCHEMA;
  cluster: string;
  createdAt: string;
  /** Key of the snapshot object, relative to the store root. */
  snapshotKey: string;
  etcdVersion: string;
  /** The member the snapshot was streamed from. */
  member: { name: string; id: string; endpoint: string };
  members: ManifestMember[];
  revision: number;
  /** False when writes landed between the two status reads that bracket the stream (see etcd/snapshot.ts). */
  revisionExact: boolean;
  keyCount: number;
  keyCountsByPrefix: Record<string, number>;
  dbSizeBytes: number;
  rawSizeBytes: number;
  storedSizeBytes: number;
  sha256: string;
  storedSha256: string;
  compression: Compression;
  encryption: EncryptionRecord;
  labels: Record<string, string>;
  verify: 'hash' | 'restore';
  run?: { url?: string; commit?: string; repository?: string };
  /** Extra files captured with the snapshot (the port-forward/companion issue). */
  companions?: { key: string; files: string[]; sha256: string; storedSha256: string; sizeBytes: number }[];
}

export function manifestKeyFor(snapshotKey: string): string {
  return snapshotKey.replace(/\.db(\.[a-z0-9]+)*$/, '') + '.json';
}

export function isManifest(value: unknown): value is SnapshotManifest {
  return (
    typeof value === 'object' && value !== null && (value as { schema?: unknown }).schema === MANIFEST_SCHEMA
  );
}
