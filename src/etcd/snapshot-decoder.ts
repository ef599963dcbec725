import { IntegrityError } from '../errors.js';

/** Protocol buffer wire types (https://protobuf.dev/programming-guides/encoding/). */
const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** SnapshotResponse (etcd rpc.proto): 1 header, 2 remaining_bytes, 3 blob, 4 version. */
const FIELD_REMAINING_BYTES = 2;
const FIELD_BLOB = 3;

const GRPC_PREFIX_BYTES = 5;
/** A field's tag and a varint value take at most 5 + 10 bytes. */
const FIELD_HEAD_MAX = 15;

/**
 * Decodes the gRPC response body of etcd's Maintenance/Snapshot call into the database bytes, as they
 * arrive, without building a message object per 32 KiB part.
 *
 * A generic gRPC client (grpc-js with protobufjs) concatenates each message, decodes it into an object
 * and copies its blob: measured at a third of the snapshot's time. This decoder walks the length-prefixed
 * messages and their top-level fields across chunk boundaries, copies blob bytes once into `outputBytes`
 * pieces and skips every other field. It is pure: bytes in, pieces out.
 */
export class SnapshotResponseDecoder {
  /** Unparsed input: `queue[0]` starts at `offset`. */
  private queue: Buffer[] = [];
  private offset = 0;
  private queued = 0;

  private state: 'prefix' | 'field' | 'blob' | 'skip' = 'prefix';
  /** Bytes of the current message not parsed yet. */
  private messageLeft = 0;
  /** Bytes of the current blob or skipped field not consumed yet. */
  private fieldLeft = 0;
  private messageBlobBytes = 0;
  private messageRemaining = 0;

  private out: Buffer;
  private outLength = 0;

  /** Database bytes decoded so far. */
  blobBytes = 0;
  messages = 0;
  /** True once a message said nothing remains (remaining_bytes 0): the stream is complete. */
  sawLast = false;

  constructor(
    private readonly outputBytes = 1 << 20,
    /** Called once, after the first message, with the size etcd announced for the whole snapshot. */
    private readonly onTotal?: (totalBytes: number) => void,
  ) {
    this.out = Buffer.allocUnsafeSlow(outputBytes);
  }

  /** Takes the next chunk of the response body; returns the pieces of database bytes that are full. */
  push(chunk: Buffer): Buffer[] {
    const ready: Buffer[] = [];
    if (chunk.length === 0) return ready;
    this.queue.push(chunk);
    this.queued += chunk.length;
    for (;;) {
      if (this.state === 'prefix') {
        const head = this.peek(GRPC_PREFIX_BYTES);
        if (!head) return ready;
        if (head[0] !== 0)
          throw new IntegrityError('etcd sent a compressed snapshot message, which was not asked for');
        this.messageLeft = head.readUInt32BE(1);
        this.consume(GRPC_PREFIX_BYTES);
        this.messageBlobBytes = 0;
        this.messageRemaining = 0;
        this.state = 'field';
      } else if (this.state === 'field') {
        if (this.messageLeft === 0) {
          this.endMessage();
          continue;
        }
        const head = this.peek(Math.min(this.messageLeft, FIELD_HEAD_MAX));
        if (!head) return ready;
        this.readFieldHead(head);
      } else {
        const n = Math.min(this.fieldLeft, this.queued);
        if (n === 0) return ready;
        if (this.state === 'blob') this.copyOut(n, ready);
        else this.consume(n);
        this.fieldLeft -= n;
        this.messageLeft -= n;
        if (this.fieldLeft === 0) this.state = 'field';
      }
    }
  }

  /** The last, partly filled piece. The stream is complete only when `sawLast` is true. */
  end(): Buffer | undefined {
    if (this.outLength === 0) return undefined;
    const last = this.out.subarray(0, this.outLength);
    this.outLength = 0;
    return last;
  }

  private readFieldHead(head: Buffer): void {
    let at = 0;
    const varint = (): number => {
      let value = 0;
      for (let shift = 0; at < head.length && shift < 70; shift += 7) {
        const b = head[at++]!;
        value += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) return value;
      }
      throw new IntegrityError('etcd sent a malformed snapshot message (a varint does not end)');
    };
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === WIRE_VARINT) {
      const value = varint();
      if (field === FIELD_REMAINING_BYTES) this.messageRemaining = value;
      this.fieldLeft = 0;
    } else if (wire === WIRE_LEN) {
      this.fieldLeft = varint();
      if (field === FIELD_BLOB) this.messageBlobBytes += this.fieldLeft;
    } else if (wire === WIRE_I64) {
      this.fieldLeft = 8;
    } else if (wire === WIRE_I32) {
      this.fieldLeft = 4;
    } else {
      throw new IntegrityError(`etcd sent a malformed snapshot message (wire type ${wire})`);
    }
    this.consume(at);
    this.messageLeft -= at;
    if (this.fieldLeft > this.messageLeft)
      throw new IntegrityError('etcd sent a malformed snapshot message (a field overruns its message)');
    if (this.fieldLeft > 0) this.state = field === FIELD_BLOB && wire === WIRE_LEN ? 'blob' : 'skip';
  }

  private endMessage(): void {
    // proto3 leaves out zero values: a message without remaining_bytes says nothing remains.
    if (this.messages === 0) this.onTotal?.(this.messageBlobBytes + this.messageRemaining);
    this.messages++;
    if (this.messageRemaining === 0) this.sawLast = true;
    this.state = 'prefix';
  }

  /** `n` contiguous bytes at the read position, joining the first chunks when they straddle. */
  private peek(n: number): Buffer | undefined {
    if (this.queued < n) return undefined;
    const first = this.queue[0]!;
    if (first.length - this.offset >= n) return first.subarray(this.offset, this.offset + n);
    // Rare (a field head across a chunk boundary): join just enough to hold n bytes.
    const parts: Buffer[] = [first.subarray(this.offset)];
    let have = parts[0]!.length;
    let i = 1;
    while (have < n) {
      parts.push(this.queue[i]!);
      have += this.queue[i]!.length;
      i++;
    }
    const joined = Buffer.concat(parts, have);
    this.queue.splice(0, i, joined);
    this.offset = 0;
    return joined.subarray(0, n);
  }

  private consume(n: number): void {
    this.queued -= n;
    while (n > 0) {
      const first = this.queue[0]!;
      const left = first.length - this.offset;
      if (n < left) {
        this.offset += n;
        return;
      }
      n -= left;
      this.queue.shift();
      this.offset = 0;
    }
  }

  /** Copies `n` queued bytes into the output piece, handing out each piece as it fills. */
  private copyOut(n: number, ready: Buffer[]): void {
    this.blobBytes += n;
    this.queued -= n;
    while (n > 0) {
      const first = this.queue[0]!;
      const take = Math.min(n, first.length - this.offset, this.outputBytes - this.outLength);
      first.copy(this.out, this.outLength, this.offset, this.offset + take);
      this.outLength += take;
      this.offset += take;
      n -= take;
      if (this.offset === first.length) {
        this.queue.shift();
        this.offset = 0;
      }
      if (this.outLength === this.outputBytes) {
        ready.push(this.out);
        this.out = Buffer.allocUnsafeSlow(this.outputBytes);
        this.outLength = 0;
      }
    }
  }
}
