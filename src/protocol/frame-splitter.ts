import { StromError } from '../common/strom-error.js';

/** A frame whose size prefix is negative or above the limit: the connection must close. */
export class InvalidFrameSizeError extends StromError {
  readonly size: number;
  constructor(size: number, max: number, limitName: string) {
    super('INVALID_FRAME_SIZE', `frame size ${size} is outside 0..${max} (${limitName})`);
    this.size = size;
  }
}

/** Below this many bytes still missing from a frame, reading into the shared buffer costs less. */
const DIRECT_READ_BYTES_MIN = 16 * 1024;
const SCRATCH_BYTES = 64 * 1024;
/** A tail this small is copied out of its chunk, so a large socket chunk is not pinned by a few bytes. */
const TAIL_COPY_BYTES_MAX = 1024;
/** Shared by every call that completes no frame; callers only read what they are given. */
const NO_FRAMES: Buffer[] = [];

/**
 * Cuts a byte stream into Kafka's size-prefixed frames (int32 size, then that many bytes), for
 * the broker reading requests and the client reading responses. The size is checked against the
 * limit as soon as its 4 bytes arrive, before any of the body is held. Each stream is fed one of
 * two ways:
 *
 * - `push(chunk)` (the broker's 'data' events): a frame wholly inside a chunk is returned as a view
 *   of it, without a copy. A frame spanning chunks is held as the pieces that arrived, so memory
 *   grows only with bytes received, never with what a size prefix claims, and joined once whole.
 *
 * - `nextBuffer()` and `read(n, buf)` (the client's `net.connect({ onread })`): every frame is a
 *   buffer of its own that nothing reuses, so decoded records may be views into it. Once a large
 *   frame's size is known the kernel reads straight into it: one allocation and no copy. Small
 *   frames and size prefixes land in one reusable buffer and are copied out. (Joining socket chunks
 *   per frame instead allocated every chunk and then the frame, and the garbage collector paid
 *   for both.)
 */
export class FrameSplitter {
  private readonly sizePrefix = Buffer.alloc(4);
  private sizePrefixFilled = 0;
  /** push(): pieces of the frame being assembled, after its size prefix. */
  private pieces: Buffer[] = [];
  private piecesBytes = 0;
  /** push(): body size of the frame being assembled; -1 while its size prefix is incomplete. */
  private expected = -1;
  /** read(): the frame being filled, allocated once its size is known. */
  private frame: Buffer | null = null;
  private filled = 0;
  private scratch: Buffer | null = null;
  private readonly limitName: string;
  private readonly scratchBytes: number;

  /**
   * `limitName` names the setting behind `frameBytesMax` in errors (socket.request.max.bytes);
   * `scratchBytes` sizes the shared buffer of `nextBuffer`.
   */
  constructor(
    private readonly frameBytesMax: number,
    options: { readonly limitName?: string; readonly scratchBytes?: number } = {},
  ) {
    this.limitName = options.limitName ?? 'frame size limit';
    this.scratchBytes = options.scratchBytes ?? SCRATCH_BYTES;
  }

  /** Bytes held for an incomplete frame, its size prefix included. */
  get bufferedBytes(): number {
    if (this.expected >= 0) return 4 + this.piecesBytes;
    if (this.frame !== null) return 4 + this.filled;
    return this.sizePrefixFilled;
  }

  /** Body size of the incomplete frame being assembled, once its size prefix is in; else -1. */
  get expectedFrameBytes(): number {
    if (this.expected >= 0) return this.expected;
    return this.frame !== null ? this.frame.length : -1;
  }

  /** Feeds a chunk; returns the complete frames (bodies without the size prefix). Throws InvalidFrameSizeError. */
  push(chunk: Buffer): readonly Buffer[] {
    let frames: Buffer[] = NO_FRAMES;
    let data = chunk;
    if (this.sizePrefixFilled > 0 || this.expected >= 0) {
      // Complete the pending frame with only the bytes it lacks: the rest of the chunk stays a view.
      if (this.expected < 0) {
        const take = Math.min(4 - this.sizePrefixFilled, data.length);
        data.copy(this.sizePrefix, this.sizePrefixFilled, 0, take);
        this.sizePrefixFilled += take;
        data = data.subarray(take);
        if (this.sizePrefixFilled < 4) return frames;
        this.sizePrefixFilled = 0;
        this.expected = this.checkedSize(this.sizePrefix, 0);
      }
      const missing = this.expected - this.piecesBytes;
      if (data.length < missing) {
        this.pieces.push(data);
        this.piecesBytes += data.length;
        return frames;
      }
      this.pieces.push(data.subarray(0, missing));
      frames = [this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.expected)];
      data = data.subarray(missing);
      this.pieces = [];
      this.piecesBytes = 0;
      this.expected = -1;
    }
    let at = 0;
    while (data.length - at >= 4) {
      const size = this.checkedSize(data, at);
      if (data.length - at - 4 < size) {
        // Keep the started frame; copy a small piece so the chunk is not pinned by it.
        const piece = data.subarray(at + 4);
        this.expected = size;
        this.pieces = [piece.length < TAIL_COPY_BYTES_MAX ? Buffer.from(piece) : piece];
        this.piecesBytes = piece.length;
        return frames;
      }
      if (frames === NO_FRAMES) frames = [];
      frames.push(data.subarray(at + 4, at + 4 + size));
      at += 4 + size;
    }
    if (at < data.length) {
      data.copy(this.sizePrefix, 0, at);
      this.sizePrefixFilled = data.length - at;
    }
    return frames;
  }

  /** Where the next socket read should land: the rest of a large frame, or the shared buffer. */
  nextBuffer(): Buffer {
    const f = this.frame;
    if (f !== null && f.length - this.filled >= DIRECT_READ_BYTES_MIN) return f.subarray(this.filled);
    this.scratch ??= Buffer.allocUnsafe(this.scratchBytes);
    return this.scratch;
  }

  /**
   * Takes `n` bytes that a read put into `buf`, which `nextBuffer` returned; returns the completed
   * frames, each in a buffer of its own. Throws InvalidFrameSizeError.
   */
  read(n: number, buf: Buffer): readonly Buffer[] {
    if (buf === this.scratch) return this.copyOut(buf, n);
    // A direct read: `buf` is the tail of the frame, so the bytes are already in place.
    this.filled += n;
    const f = this.frame!;
    if (this.filled < f.length) return NO_FRAMES;
    this.frame = null;
    this.filled = 0;
    return [f];
  }

  private copyOut(src: Buffer, end: number): readonly Buffer[] {
    let frames: Buffer[] | null = null;
    let at = 0;
    while (at < end) {
      let f = this.frame;
      if (f === null) {
        let size: number;
        if (this.sizePrefixFilled === 0 && end - at >= 4) {
          size = this.checkedSize(src, at);
          at += 4;
        } else {
          // The size prefix is split across reads.
          this.sizePrefix[this.sizePrefixFilled++] = src[at++]!;
          if (this.sizePrefixFilled < 4) continue;
          this.sizePrefixFilled = 0;
          size = this.checkedSize(this.sizePrefix, 0);
        }
        f = Buffer.allocUnsafe(size);
        this.frame = f;
        this.filled = 0;
      }
      const n = Math.min(end - at, f.length - this.filled);
      src.copy(f, this.filled, at, at + n);
      at += n;
      this.filled += n;
      if (this.filled === f.length) {
        this.frame = null;
        this.filled = 0;
        frames ??= [];
        frames.push(f);
      }
    }
    return frames ?? NO_FRAMES;
  }

  private checkedSize(buf: Buffer, at: number): number {
    const size = buf.readInt32BE(at);
    if (size < 0 || size > this.frameBytesMax) {
      throw new InvalidFrameSizeError(size, this.frameBytesMax, this.limitName);
    }
    return size;
  }
}
