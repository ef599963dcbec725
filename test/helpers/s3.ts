import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from '../../src/etcd/drill.js';
import { S3_DEFAULTS, type S3Options } from '../../src/store/options.js';

/** A real S3 protocol server on a free loopback port, with one bucket, ours to stop. */
export interface S3Server {
  kind: 'minio' | 's3rver';
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Store options for this server (explicit credentials, path style). */
  options(overrides?: Partial<S3Options>): S3Options;
  /** Environment for the SDK's default credential chain (for `run` and child processes). */
  env: Record<string, string>;
  client(): S3Client;
  incompleteUploads(): Promise<number>;
  stop(): Promise<void>;
}

export function minioPath(): string | undefined {
  const p = path.join(process.env.KUBESAFE_CACHE ?? path.join(os.homedir(), '.cache/kubesafe'), 'bin/minio');
  return existsSync(p) ? p : undefined;
}

async function waitFor(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

function server(
  kind: S3Server['kind'],
  endpoint: string,
  bucket: string,
  accessKeyId: string,
  secretAccessKey: string,
  stop: () => Promise<void>,
): S3Server {
  const options = (overrides: Partial<S3Options> = {}): S3Options => ({
    ...S3_DEFAULTS,
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    ...overrides,
  });
  const client = () =>
    new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
    });
  return {
    kind,
    endpoint,
    bucket,
    accessKeyId,
    secretAccessKey,
    options,
    env: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: 'us-east-1' },
    client,
    async incompleteUploads() {
      const c = client();
      try {
        return (await c.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads?.length ?? 0;
      } finally {
        c.destroy();
      }
    },
    stop,
  };
}

/** MinIO built by test/helpers/build-minio.sh; undefined when it has not been built. */
export async function startMinio(bucket = 'kubesafe-test'): Promise<S3Server | undefined> {
  const bin = minioPath();
  if (!bin) return undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-minio-'));
  const port = await freePort();
  const consolePort = await freePort();
  const accessKeyId = 'kubesafe';
  const secretAccessKey = 'kubesafe-secret-key';
  const child = spawn(
    bin,
    [
      'server',
      dir,
      '--quiet',
      '--address',
      `127.0.0.1:${port}`,
      '--console-address',
      `127.0.0.1:${consolePort}`,
    ],
    {
      stdio: 'ignore',
      env: {
        ...process.env,
        MINIO_ROOT_USER: accessKeyId,
        MINIO_ROOT_PASSWORD: secretAccessKey,
        MINIO_BROWSER: 'off',
        MINIO_UPDATE: 'off',
      },
    },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const s = server('minio', endpoint, bucket, accessKeyId, secretAccessKey, stopper(child, dir));
  try {
    await waitFor(`${endpoint}/minio/health/live`);
    const c = s.client();
    await c.send(new CreateBucketCommand({ Bucket: bucket }));
    c.destroy();
  } catch (err) {
    await s.stop();
    throw err;
  }
  return s;
}

/** s3rver (npm): an S3 protocol server with the quirks of several S3-compatible stores. */
export async function startS3rver(bucket = 'kubesafe-test'): Promise<S3Server> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-s3rver-'));
  const port = await freePort();
  const bin = path.resolve('node_modules/s3rver/bin/s3rver.js');
  const child = spawn(
    process.execPath,
    [bin, '-d', dir, '-a', '127.0.0.1', '-p', String(port), '-s', '--configure-bucket', bucket],
    { stdio: 'ignore' },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const s = server('s3rver', endpoint, bucket, 'S3RVER', 'S3RVER', stopper(child, dir));
  try {
    await waitFor(`${endpoint}/`);
  } catch (err) {
    await s.stop();
    throw err;
  }
  return s;
}
