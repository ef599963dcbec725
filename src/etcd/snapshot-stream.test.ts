import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from '@jest/globals';
import { SnapshotTrailerCheck } from './snapshot-stream.js';

function withTrailer(db: Buffer): Buffer {
  return Buffer.concat([db, createHash('sha256').update(db).digest()]);
}

async function check(chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    new SnapshotTrailerCheck(),
    new Writable({ write: (c, _e, cb) => (out.push(c as Buffer), cb()) }),
  );
  return Buffer.concat(out);
}

function split(buf: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const s of sizes) {
    out.push(buf.subarray(at, at + s));
    at += s;
  }
  if (at < buf.length) out.push(buf.subarray(at));
  return out;
}

describe('SnapshotTrailerCheck', () => {
  const db = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
  const good = withTrailer(db);

  it.each([
    ['one chunk', [good.length]],
    ['32 KiB chunks', Array(Math.ceil(good.length / 32768)).fill(32768)],
    ['a trailer split over tiny chunks', [good.length - 40, 5, 3, 1, 1, 10]],
    ['chunks smaller than the trailer', Array(Math.ceil(good.length / 7)).fill(7)],
  ])('passes every byte through unchanged with %s', async (_name, sizes) => {
    expect((await check(split(good, sizes as number[]))).equals(good)).toBe(true);
  });

  it('fails a stream that was cut short', async () => {
    await expect(check([good.subarray(0, good.length - 1000)])).rejects.toThrow(/cut short or altered/);
  });

  it('fails a stream with one flipped byte', async () => {
    const bad = Buffer.from(good);
    bad[500]! ^= 1;
    await expect(check(split(bad, [32768, 32768]))).rejects.toThrow(/cut short or altered/);
  });

  it('fails a stream too short to hold a trailer', async () => {
    await expect(check([Buffer.alloc(10)])).rejects.toThrow(/too short/);
  });
});
