import { describe, expect, it } from '@jest/globals';
import protobuf from 'protobufjs/minimal.js';
import { IntegrityError } from '../errors.js';
import { SnapshotResponseDecoder } from './snapshot-decoder.js';

/** A SnapshotResponse as etcd encodes it, with optional extra fields of every wire type. */
function message(blob: Buffer, remaining: number, extras = false): Buffer {
  const w = protobuf.Writer.create();
  w.uint32(0x0a).fork().uint32(0x08).uint64(12345678901234).uint32(0x18).int64(42).ldelim(); // 1: header
  if (remaining > 0) w.uint32(0x10).uint64(remaining); // 2: remaining_bytes (left out when 0, as proto3 does)
  if (blob.length > 0) w.uint32(0x1a).bytes(blob); // 3: blob
  w.uint32(0x22).string('3.6.0'); // 4: version
  if (extras)
    w.uint32((9 << 3) | 1)
      .fixed64(7)
      .uint32((10 << 3) | 5)
      .fixed32(9)
      .uint32(11 << 3)
      .uint32(300);
  const body = w.finish();
  const frame = Buffer.alloc(5 + body.length);
  frame.writeUInt32BE(body.length, 1);
  frame.set(body, 5);
  return frame;
}

/** etcd's stream: the database in parts, each saying how much is left, then the 32-byte hash part. */
function response(db: Buffer, part: number, extras = false): Buffer {
  const frames: Buffer[] = [];
  for (let at = 0; at < db.length; at += part) {
    const blob = db.subarray(at, at + part);
    frames.push(message(blob, db.length - at - blob.length + 32, extras));
  }
  frames.push(message(Buffer.alloc(32, 7), 0, extras));
  return Buffer.concat(frames);
}

function decode(body: Buffer, chunkSizes: (i: number) => number, outputBytes = 1000) {
  const totals: number[] = [];
  const decoder = new SnapshotResponseDecoder(outputBytes, (t) => totals.push(t));
  const pieces: Buffer[] = [];
  for (let at = 0, i = 0; at < body.length; i++) {
    const n = chunkSizes(i);
    pieces.push(...decoder.push(body.subarray(at, at + n)));
    at += n;
  }
  const last = decoder.end();
  if (last) pieces.push(last);
  return { decoder, pieces, totals, bytes: Buffer.concat(pieces) };
}

describe('SnapshotResponseDecoder', () => {
  const db = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 31) % 256));
  const expected = Buffer.concat([db, Buffer.alloc(32, 7)]);

  it.each([
    ['the whole body at once', () => 1 << 30],
    ['single bytes', () => 1],
    ['16 KiB frames', () => 16384],
    ['chunks of varying size', (i: number) => [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144][i % 11]!],
  ])('yields exactly the database bytes from %s', (_name, sizes) => {
    const { decoder, bytes, totals, pieces } = decode(response(db, 777, true), sizes);
    expect(bytes.equals(expected)).toBe(true);
    expect(decoder.sawLast).toBe(true);
    expect(decoder.blobBytes).toBe(expected.length);
    expect(decoder.messages).toBe(Math.ceil(db.length / 777) + 1);
    // Announced once, from the first message: its blob plus what it says remains.
    expect(totals).toEqual([expected.length]);
    // Every piece but the last is full.
    expect(pieces.slice(0, -1).every((p) => p.length === 1000)).toBe(true);
  });

  it('does not report completion when the stream stops before the last part', () => {
    const body = response(db, 1000);
    const cut = body.subarray(0, body.length - message(Buffer.alloc(32, 7), 0).length);
    const { decoder, bytes } = decode(cut, () => 4096);
    expect(decoder.sawLast).toBe(false);
    expect(bytes.equals(db)).toBe(true);
  });

  it('does not report completion when the stream stops inside a message', () => {
    const body = response(db, 1000);
    const { decoder } = decode(body.subarray(0, body.length - 3), () => 100);
    expect(decoder.sawLast).toBe(false);
  });

  it('refuses a compressed message', () => {
    const body = response(db, 1000);
    body[0] = 1;
    expect(() => decode(body, () => 100)).toThrow(IntegrityError);
  });

  it('refuses a field that runs past the end of its message', () => {
    const frame = message(Buffer.from('abc'), 0);
    // Shorten the message length by one byte: the last field now overruns it.
    frame.writeUInt32BE(frame.readUInt32BE(1) - 1, 1);
    expect(() => decode(frame, () => 100)).toThrow(/overruns its message/);
  });

  it('hands out pieces that later input does not overwrite', () => {
    const { pieces } = decode(response(db, 500), () => 333, 256);
    const copies = pieces.map((p) => Buffer.from(p));
    expect(Buffer.concat(copies).equals(Buffer.concat(pieces))).toBe(true);
    expect(Buffer.concat(pieces).equals(expected)).toBe(true);
  });
});
