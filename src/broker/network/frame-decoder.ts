import { StromError } from '../../common/strom-error.js';

/** A frame whose size prefix is negative or above socket.request.max.bytes: the connection must close. */
export class InvalidFrameSizeError extends StromError {
  readonly size: number;
  constructor(size: number, max: number) {
    super('INVALID_FRAME_SIZE', `frame size ${size} is outside 0..${max} (socket.request.max.bytes)`);
    this.size = size;
  }
}

/**
 * Splits a byte stream into size-prefixed frames. The size is checked against the limit as soon as
 * its 4 bytes arrive, before any body is buffered, so an oversized frame costs nothing. Small chunks
 * are coalesced; a frame that arrives whole inside one chunk is returned as a view of that chunk.
 */
export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Body size of the frame being assembled, -1 while its size prefix is incomplete. */
  private expected = -1;

  constructor(private readonly maxFrameBytes: number) {}

  /** Body size of the incomplete frame being assembled, once its size prefix is in; else -1. */
  get expectedFrameBytes(): number {
    return this.pendingBytes > 0 ? this.expected : -1;
  }

  /** Bytes held for an incomplete frame. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Feeds a chunk; returns the complete frames (bodies without the size prefix). Throws InvalidFrameSizeError. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let data = chunk;
    if (this.pendingBytes > 0) {
      // Complete the pending frame with only the bytes it lacks: the rest of the chunk stays a view.
      if (this.expected < 0) {
        const take = Math.min(4 - this.pendingBytes, data.length);
        this.pending.push(data.subarray(0, take));
        this.pendingBytes += take;
        data = data.subarray(take);
        if (this.pendingBytes < 4) return frames;
        this.readSize(Buffer.concat(this.pending, 4));
      }
      const missing = 4 + this.expected - this.pendingBytes;
      if (data.length < missing) {
        this.pending.push(data);
        this.pendingBytes += data.length;
        return frames;
      }
      this.pending.push(data.subarray(0, missing));
      frames.push(Buffer.concat(this.pending, 4 + this.expected).subarray(4));
      data = data.subarray(missing);
      this.pending = [];
      this.pendingBytes = 0;
      this.expected = -1;
    }
    let at = 0;
    while (data.length - at >= 4) {
      const size = this.readSize(data.subarray(at));
      if (data.length - at - 4 < size) break;
      frames.push(data.subarray(at + 4, at + 4 + size));
      at += 4 + size;
      this.expected = -1;
    }
    if (at < data.length) {
      // Keep the tail; copy it when small so a large socket chunk is not pinned by a few bytes.
      const tail = data.subarray(at);
      this.pending = [tail.length < 1024 ? Buffer.from(tail) : tail];
      this.pendingBytes = tail.length;
      if (tail.length >= 4) this.readSize(tail);
    }
    return frames;
  }

  private readSize(buf: Buffer): number {
    const size = buf.readInt32BE(0);
    if (size < 0 || size > this.maxFrameBytes) throw new InvalidFrameSizeError(size, this.maxFrameBytes);
    this.expected = size;
    return size;
  }
}
