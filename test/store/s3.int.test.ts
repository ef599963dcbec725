import { Readable } from 'node:stream';
import { freePort } from '../../src/etcd/drill.js';
import { StoreError } from '../../src/errors.js';
import { RecordingReporter } from '../../src/report.js';
import { openStore } from '../../src/store/open.js';
import type { S3Store } from '../../src/store/s3.js';
import { minioPath, startMinio, startS3rver, type S3Server } from '../helpers/s3.js';
import { randomStream, retentionRunLeaves, RETENTION_SURVIVORS, sha256Of } from '../helpers/store-checks.js';

const MiB = 1 << 20;

async function open(
  server: S3Server,
  bucket = server.bucket,
  prefix = 'backups',
  overrides = {},
): Promise<S3Store> {
  return (await openStore(
    { scheme: 's3', bucket, prefix },
    { s3: server.options(overrides) },
    new RecordingReporter(),
  )) as S3Store;
}

describe('S3 store on MinIO', () => {
  let minio: S3Server;
  beforeAll(async () => {
    if (!minioPath()) throw new Error('MinIO is not built: run test/helpers/build-minio.sh');
    minio = (await startMinio())!;
  }, 60_000);
  afterAll(async () => minio?.stop());

  it('uploads 200 MiB in parts and downloads the same bytes', async () => {
    const store = await open(minio);
    try {
      const src = randomStream(200 * MiB);
      await store.put('big/object.bin', src.stream);
      const got = await sha256Of(await store.get('big/object.bin'));
      expect(got).toEqual({ sha256: src.sha256(), bytes: 200 * MiB });
      expect(await minio.incompleteUploads()).toBe(0);
    } finally {
      await store.close();
    }
  }, 180_000);

  it('leaves no incomplete multipart upload and no object when the source fails mid-way', async () => {
    const store = await open(minio, minio.bucket, 'backups', { partSizeBytes: 5 * MiB, concurrency: 2 });
    try {
      let sent = 0;
      const failing = new Readable({
        read() {
          if (sent >= 30 * MiB) {
            this.destroy(new Error('etcd stream broke'));
            return;
          }
          sent += MiB;
          this.push(Buffer.alloc(MiB, 7));
        },
      });
      await expect(store.put('broken.db', failing)).rejects.toThrow(StoreError);
      expect(await store.exists('broken.db')).toBe(false);
      expect(await minio.incompleteUploads()).toBe(0);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('presigns a GET URL that plain HTTP can fetch', async () => {
    const store = await open(minio);
    try {
      await store.put('presigned.txt', Readable.from([Buffer.from('hello from the bucket')]));
      const url = await store.presign('presigned.txt', 60);
      expect(url).toMatch(/X-Amz-Expires=60/);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('hello from the bucket');
      const unsigned = await fetch(url.split('?')[0]!);
      expect(unsigned.status).toBe(403);
    } finally {
      await store.close();
    }
  });

  it('applies retention key by key, keeping pins and other clusters', async () => {
    const store = await open(minio, minio.bucket, 'retention');
    try {
      expect(await retentionRunLeaves(store)).toEqual(RETENTION_SURVIVORS);
    } finally {
      await store.close();
    }
  });

  it('says clearly when the bucket is missing or the credentials are wrong', async () => {
    await expect(open(minio, 'no-such-bucket')).rejects.toThrow(/no-such-bucket.*bucket does not exist/);
    await expect(
      open(minio, minio.bucket, 'x', {
        credentials: { accessKeyId: 'wrong', secretAccessKey: 'wrong-secret' },
      }),
    ).rejects.toThrow(/rejected the credentials \(InvalidAccessKeyId\)/);
  });
});

describe('S3 store on s3rver', () => {
  let s3rver: S3Server;
  beforeAll(async () => {
    s3rver = await startS3rver();
  }, 30_000);
  afterAll(async () => s3rver?.stop());

  it('stores a stream body byte-exact (no aws-chunked framing in the object)', async () => {
    const store = await open(s3rver);
    try {
      for (const size of [3 * MiB + 17, 40 * MiB]) {
        const src = randomStream(size, 64 * 1024);
        await store.put(`stream-${size}.bin`, src.stream);
        expect(await sha256Of(await store.get(`stream-${size}.bin`))).toEqual({
          sha256: src.sha256(),
          bytes: size,
        });
        expect((await store.list('stream-')).find((o) => o.key === `stream-${size}.bin`)?.sizeBytes).toBe(
          size,
        );
      }
    } finally {
      await store.close();
    }
  }, 60_000);

  it('applies retention key by key, keeping pins and other clusters', async () => {
    const store = await open(s3rver, s3rver.bucket, 'retention');
    try {
      expect(await retentionRunLeaves(store)).toEqual(RETENTION_SURVIVORS);
    } finally {
      await store.close();
    }
  });

  it('says clearly when the bucket is missing or the credentials are wrong', async () => {
    await expect(open(s3rver, 'no-such-bucket')).rejects.toThrow(/bucket does not exist/);
    await expect(
      open(s3rver, s3rver.bucket, 'x', { credentials: { accessKeyId: 'wrong', secretAccessKey: 'wrong' } }),
    ).rejects.toThrow(/rejected the credentials/);
  });
});

it('says clearly when the endpoint is unreachable', async () => {
  const port = await freePort();
  const s3 = {
    ...(await import('../../src/store/options.js')).S3_DEFAULTS,
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    maxAttempts: 2,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  };
  await expect(
    openStore({ scheme: 's3', bucket: 'b', prefix: '' }, { s3 }, new RecordingReporter()),
  ).rejects.toThrow(new RegExp(`cannot reach http://127.0.0.1:${port} \\(ECONNREFUSED\\)`));
});
