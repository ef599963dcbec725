import https from 'node:https';
import http from 'node:http';
import tls from 'node:tls';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { StoreError, errorMessage } from '../errors.js';
import type { S3Options } from './options.js';
import { joinKey, type BackupStore, type PutOptions, type StoredObject } from './store.js';

/** True for AWS's own endpoints (no custom endpoint, or an amazonaws.com host). */
export function isAwsEndpoint(endpoint: string | undefined): boolean {
  if (endpoint === undefined) return true;
  try {
    return /(^|\.)amazonaws\.com(\.cn)?$/i.test(new URL(endpoint).hostname);
  } catch {
    return false;
  }
}

/**
 * The SDK's flexible checksums send a streamed PutObject as aws-chunked with a trailing checksum; many
 * S3-compatible servers (Alibaba OSS, Ceph, older MinIO, s3rver) store the chunk framing as data, silently.
 * So off AWS the SDK computes checksums only when an operation requires one; the archive pipeline's own
 * SHA-256 and the read-back verification prove the bytes instead.
 */
export function checksumMode(
  options: Pick<S3Options, 'checksums' | 'endpoint'>,
): 'WHEN_REQUIRED' | 'WHEN_SUPPORTED' {
  if (options.checksums === 'when-required') return 'WHEN_REQUIRED';
  if (options.checksums === 'when-supported') return 'WHEN_SUPPORTED';
  return isAwsEndpoint(options.endpoint) ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED';
}

export function s3ClientConfig(options: S3Options): S3ClientConfig {
  const checksums = checksumMode(options);
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.concurrency + 4,
  };
  return {
    endpoint: options.endpoint,
    region: options.region ?? (options.endpoint ? 'us-east-1' : undefined),
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    requestChecksumCalculation: checksums,
    responseChecksumValidation: checksums,
    // Standard mode: exponential backoff with jitter on throttling, 5xx and connection errors.
    maxAttempts: options.maxAttempts,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: 10_000,
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent({
        ...agentOptions,
        // `ca` replaces Node's list, so the bundle is added to the public roots rather than replacing them.
        ca: options.caBundle ? [...tls.rootCertificates, options.caBundle] : undefined,
        rejectUnauthorized: !options.insecureSkipVerify,
      }),
    },
  };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'TimeoutError',
]);
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS/;

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  Code?: string;
  errors?: { code?: string }[];
}

/** Node reports a refused connection as an AggregateError (one per address tried) or a plain error with a code. */
function networkCode(e: SdkError): string | undefined {
  const code = e.code ?? e.errors?.find((x) => x.code)?.code ?? /\b(E[A-Z]{4,})\b/.exec(e.message ?? '')?.[1];
  return code && NETWORK_CODES.has(code) ? code : e.name === 'TimeoutError' ? 'TimeoutError' : undefined;
}

/** One clear sentence per failure a user can fix: missing bucket, rejected credentials, unreachable endpoint. */
export function describeS3Error(err: unknown, where: string, endpoint: string | undefined): StoreError {
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? e.Code ?? '';
  const code = e.code ?? '';
  const status = e.$metadata?.httpStatusCode;
  const target = endpoint ?? 'AWS S3';
  let msg: string;
  if (name === 'NoSuchBucket') msg = `${where}: the bucket does not exist at ${target}`;
  else if (name === 'NoSuchKey' || (name === 'NotFound' && status === 404)) msg = `${where}: no such object`;
  else if (
    [
      'InvalidAccessKeyId',
      'SignatureDoesNotMatch',
      'InvalidToken',
      'ExpiredToken',
      'InvalidClientTokenId',
      'AuthorizationHeaderMalformed',
    ].includes(name)
  )
    msg = `${where}: ${target} rejected the credentials (${name}); check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the role, and s3-region`;
  else if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message ?? ''))
    msg = `${where}: no S3 credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, or a role (e.g. aws-actions/configure-aws-credentials)`;
  else if (name === 'AccessDenied' || status === 403)
    msg = `${where}: access denied by ${target}; the credentials lack a permission this store needs (see deploy/iam/)`;
  else if (name === 'PermanentRedirect' || status === 301)
    msg = `${where}: the bucket is in another region; set s3-region`;
  else if (/Region is missing/i.test(e.message ?? ''))
    msg = `${where}: no region; set s3-region (or AWS_REGION)`;
  else if (networkCode(e))
    msg = `${where}: cannot reach ${target} (${networkCode(e)}); check s3-endpoint and the network`;
  else if (TLS_CODES.test(code))
    msg = `${where}: TLS verification of ${target} failed (${code}); set s3-ca-bundle to the CA that signed its certificate`;
  else msg = `${where}: ${name || 'S3 error'}${status ? ` (HTTP ${status})` : ''}: ${errorMessage(err)}`;
  return new StoreError(msg, { cause: err });
}

/** An S3 bucket and prefix. Uploads stream in parts; a failed upload is aborted, leaving no parts behind. */
export class S3Store implements BackupStore {
  readonly rootUri: string;
  private readonly client: S3Client;

  constructor(
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly options: S3Options,
  ) {
    this.rootUri = `s3://${bucket}${prefix ? '/' + prefix : ''}`;
    this.client = new S3Client(s3ClientConfig(options));
  }

  private objectKey(key: string): string {
    return joinKey(this.prefix, key);
  }

  private fail(err: unknown, where: string): StoreError {
    return describeS3Error(err, where, this.options.endpoint);
  }

  /** One listing request: fails early and clearly on a missing bucket, bad credentials or no route. */
  async probe(): Promise<void> {
    try {
      await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix ? this.prefix + '/' : undefined,
          MaxKeys: 1,
        }),
      );
    } catch (err) {
      throw this.fail(err, this.rootUri);
    }
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<void> {
    const Key = this.objectKey(key);
    const sse = this.options.sse;
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key,
        Body: body,
        ContentType: options.contentType ?? 'application/octet-stream',
        ServerSideEncryption: sse.kind === 'none' ? undefined : sse.kind,
        SSEKMSKeyId: sse.kind === 'aws:kms' ? sse.kmsKeyId : undefined,
      },
      partSize: this.options.partSizeBytes,
      queueSize: this.options.concurrency,
      leavePartsOnError: false,
    });
    // If the source fails mid-way, lib-storage would wait for parts that never come: abort it.
    const onSourceError = () => void upload.abort().catch(() => undefined);
    body.once('error', onSourceError);
    try {
      await upload.done();
    } catch (err) {
      await this.abortIncompleteUploads(Key);
      throw this.fail(err, this.uriFor(key));
    } finally {
      body.off('error', onSourceError);
    }
  }

  /**
   * Belt and braces after a failed upload: parts still in flight can land after lib-storage's abort,
   * and an incomplete multipart upload is billed and invisible. Abort every one left for this key.
   */
  private async abortIncompleteUploads(Key: string): Promise<void> {
    try {
      const res = await this.client.send(
        new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: Key }),
      );
      for (const u of res.Uploads ?? []) {
        if (u.Key === Key && u.UploadId) {
          await this.client.send(
            new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: u.UploadId }),
          );
        }
      }
    } catch {
      // Best effort: the original error is the one to report; a bucket lifecycle rule is the backstop.
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      const body = res.Body;
      if (!body) throw new StoreError(`${this.uriFor(key)}: empty response body`);
      return body instanceof Readable ? body : Readable.fromWeb(body as never);
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw this.fail(err, this.uriFor(key));
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (err) {
      const e = err as SdkError;
      if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404)
        return false;
      throw this.fail(err, this.uriFor(key));
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    const base = this.prefix ? this.prefix + '/' : '';
    let token: string | undefined;
    try {
      do {
        const res = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base + prefix, ContinuationToken: token }),
        );
        for (const o of res.Contents ?? []) {
          if (!o.Key || o.Key.endsWith('/')) continue;
          out.push({
            key: o.Key.slice(base.length),
            sizeBytes: o.Size ?? 0,
            modified: o.LastModified ?? new Date(0),
          });
        }
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw this.fail(err, this.rootUri);
    }
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  /** One DeleteObject per key: DeleteObjects always carries a checksum that several S3-compatible servers reject. */
  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    } catch (err) {
      const e = err as SdkError;
      if (e.name === 'NoSuchKey') return;
      throw this.fail(err, this.uriFor(key));
    }
  }

  uriFor(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }

  /** A plain-HTTP GET URL valid for `expiresSeconds` (SigV4 allows at most 7 days). Pass it to reporter.secret. */
  async presign(key: string, expiresSeconds: number): Promise<string> {
    try {
      return await getSignedUrl(
        this.client,
        new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
        {
          expiresIn: expiresSeconds,
        },
      );
    } catch (err) {
      throw this.fail(err, this.uriFor(key));
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
