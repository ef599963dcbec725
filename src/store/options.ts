import type { ArtifactService } from './artifact-service.js';

export const S3_CHECKSUM_MODES = ['auto', 'when-required', 'when-supported'] as const;
export type S3ChecksumMode = (typeof S3_CHECKSUM_MODES)[number];

export type S3ServerSideEncryption =
  { kind: 'none' } | { kind: 'AES256' } | { kind: 'aws:kms'; kmsKeyId?: string };

/** How to reach an S3 or S3-compatible store. Credentials come from the SDK's default chain. */
export interface S3Options {
  /** Custom endpoint URL for S3-compatible stores; undefined means AWS. */
  endpoint?: string;
  region?: string;
  forcePathStyle: boolean;
  /** PEM text of extra CA certificates to trust. */
  caBundle?: string;
  insecureSkipVerify: boolean;
  checksums: S3ChecksumMode;
  partSizeBytes: number;
  concurrency: number;
  sse: S3ServerSideEncryption;
  /** Attempts per request, with exponential backoff between them. */
  maxAttempts: number;
  /** Explicit credentials (tests, benchmarks); actions rely on the default chain (env, profile, IMDS, web identity). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface SftpOptions {
  privateKey?: string;
  passphrase?: string;
  /** known_hosts text pinning the server's host key. */
  knownHosts: string;
  insecureAcceptHostKey: boolean;
  readyTimeoutMs: number;
}

export interface ArtifactOptions {
  retentionDays?: number;
  /** The workflow-artifact service; the GitHub one by default (loaded on demand). */
  service?: () => Promise<ArtifactService>;
}

/** Backend settings beyond the URI; each backend reads its own part. Filled by parseStoreSettings. */
export interface StoreOptions {
  s3?: S3Options;
  sftp?: SftpOptions;
  artifact?: ArtifactOptions;
}

export const S3_DEFAULTS: S3Options = {
  forcePathStyle: false,
  insecureSkipVerify: false,
  checksums: 'auto',
  // Buffered per part in flight: 8 MiB x (4 + 1) stays well inside the memory budget.
  partSizeBytes: 8 * 1024 * 1024,
  concurrency: 4,
  sse: { kind: 'none' },
  maxAttempts: 5,
};
