/** Below this many bytes still missing from a frame, reading into the shared buffer costs less. */
const DIRECT_READ_BYTES_MIN = 16 * 1024;
const SCRATCH_BYTES = 64 * 1024;
const NO_FRAMES: readonly Buffer[] = [];

/**
 * Cuts a byte stream into size-prefixed frames, each in a buffer of its own that nothing reuses,
 * so decoded records may be views into it.
 *
 * With `net.connect({ onread: { buffer: () => a.nextBuffer(), callback: (n, b) => a.read(n, b) } })`
 * the kernel writes straight into the frame being assembled once its size is known: a large
 * Fetch response costs one allocation and no copy. Small frames and size prefixes arrive in one
 * reusable buffer and are copied out. Joining socket chunks per frame (`Buffer.concat`) instead
 * allocated every chunk and then the frame, and the garbage collector paid for both.
 */
export class FrameAssembler {
  private readonly scratch: Buffer;
  private readonly sizePrefix = Buffer.alloc(4);
  private sizePrefixFilled = 0;
  private frame: Buffer | null = null;
  private filled = 0;

  constructor(
    private readonly frameBytesMax: number,
    scratchBytes = SCRATCH_BYTES,
  ) {
    this.scratch = Buffer.allocUnsafe(scratchBytes);
  }

  /** Where the next socket read should land: the rest of a large frame, or the shared buffer. */
  nextBuffer(): Buffer {
    const f = this.frame;
    if (f !== null && f.length - this.filled >= DIRECT_READ_BYTES_MIN) return f.subarray(this.filled);
    return this.scratch;
  }

  /** Takes `n` bytes that a read put into `buf`, which `nextBuffer` returned; returns completed frames. */
  read(n: number, buf: Buffer): readonly Buffer[] {
    if (buf === this.scratch) return this.consume(buf, n);
    // A direct read: `buf` is the tail of the frame, so the bytes are already in place.
    this.filled += n;
    const f = this.frame!;
    if (this.filled < f.length) return NO_FRAMES;
    this.frame = null;
    return [f];
  }

  /** Feeds bytes that arrived some other way ('data' events, tests); returns completed frames. */
  push(chunk: Buffer): readonly Buffer[] {
    return this.consume(chunk, chunk.length);
  }

  private consume(src: Buffer, end: number): readonly Buffer[] {
    let frames: Buffer[] | null = null;
    let at = 0;
    while (at < end) {
      let f = this.frame;
      if (f === null) {
        let size: number;
        if (this.sizePrefixFilled === 0 && end - at >= 4) {
          size = src.readInt32BE(at);
          at += 4;
        } else {
          // The size prefix is split across reads.
          this.sizePrefix[this.sizePrefixFilled++] = src[at++]!;
          if (this.sizePrefixFilled < 4) continue;
          this.sizePrefixFilled = 0;
          size = this.sizePrefix.readInt32BE(0);
        }
        if (size < 0 || size > this.frameBytesMax) {
          throw new RangeError(`frame of ${size} bytes exceeds ${this.frameBytesMax}`);
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
        frames ??= [];
        frames.push(f);
      }
    }
    return frames ?? NO_FRAMES;
  }
}
