import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { Etcd3 } from 'etcd3';
import { IntegrityError } from '../errors.js';

const TRAILER_BYTES = 32;

/**
 * etcd appends the SHA-256 of the database to the snapshot stream. This pass-through holds back the last
 * 32 bytes, hashes everything before them and fails the stream when they differ.
 */
export class SnapshotTrailerCheck extends Transform {
  private readonly hash = createHash('sha256');
  private tail = Buffer.alloc(0);
  dbBytes = 0;

  constructor() {
    super({ highWaterMark: 1 << 20 });
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    if (chunk.length >= TRAILER_BYTES) {
      // Hash the held-back tail and all but the last 32 bytes of this chunk, without copying the chunk.
      if (this.tail.length > 0) {
        this.hash.update(this.tail);
        this.dbBytes += this.tail.length;
      }
      const cut = chunk.length - TRAILER_BYTES;
      this.hash.update(chunk.subarray(0, cut));
      this.dbBytes += cut;
      this.tail = Buffer.from(chunk.subarray(cut));
    } else {
      const joined = Buffer.concat([this.tail, chunk]);
      const cut = Math.max(0, joined.length - TRAILER_BYTES);
      this.hash.update(joined.subarray(0, cut));
      this.dbBytes += cut;
      this.tail = joined.subarray(cut);
    }
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.tail.length < TRAILER_BYTES) {
      cb(
        new IntegrityError(
          `snapshot stream is ${this.dbBytes + this.tail.length} bytes: too short to hold etcd's hash trailer`,
        ),
      );
      return;
    }
    const expected = this.hash.digest();
    if (!expected.equals(this.tail)) {
      cb(
        new IntegrityError(
          'snapshot stream does not end with the SHA-256 of its content: it was cut short or altered',
        ),
      );
      return;
    }
    cb();
  }
}

interface SnapshotMessage {
  blob: Buffer;
  remaining_bytes: string;
}

/**
 * The maintenance snapshot stream as a byte stream. Fails when the server ends the stream before it
 * said the last message was sent (remaining_bytes 0), which a proxy closing early produces.
 */
export async function openSnapshotStream(
  client: Etcd3,
  onFirstMessage?: (totalBytes: number) => void,
): Promise<Readable> {
  const call = (await client.maintenance.snapshot()) as unknown as Readable;
  let sawLast = false;
  let first = true;
  let received = 0;
  const bytes = new Transform({
    writableObjectMode: true,
    readableHighWaterMark: 1 << 20,
    transform(msg: SnapshotMessage, _e, cb) {
      const remaining = Number(msg.remaining_bytes);
      received += msg.blob.length;
      if (first) {
        first = false;
        onFirstMessage?.(received + remaining);
      }
      if (remaining === 0) sawLast = true;
      cb(null, msg.blob);
    },
    flush(cb) {
      if (!sawLast)
        cb(
          new IntegrityError(`snapshot stream ended after ${received} bytes, before etcd sent its last part`),
        );
      else cb();
    },
  });
  call.on('error', (err) => bytes.destroy(err));
  return call.pipe(bytes);
}
