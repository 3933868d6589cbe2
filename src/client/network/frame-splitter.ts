/**
 * Cuts a byte stream into size-prefixed frames. Chunks are kept as they arrive and joined once per
 * frame, so a large Fetch response is copied once rather than at every chunk.
 */
export class FrameSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private frameSize = -1;

  constructor(private readonly frameBytesMax: number) {}

  /** Feeds bytes; returns the complete frames (without size prefix). Throws on an oversized frame. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.frameSize < 0) {
        if (this.buffered < 4) break;
        this.frameSize = this.peekInt32();
        if (this.frameSize < 0 || this.frameSize > this.frameBytesMax) {
          throw new RangeError(`frame of ${this.frameSize} bytes exceeds ${this.frameBytesMax}`);
        }
      }
      if (this.buffered < 4 + this.frameSize) break;
      frames.push(this.take(4 + this.frameSize).subarray(4));
      this.frameSize = -1;
    }
    return frames;
  }

  private peekInt32(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const joined = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [joined];
    return joined.readInt32BE(0);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const joined = Buffer.concat(this.chunks, this.buffered);
      out = joined.subarray(0, n);
      this.chunks = joined.length > n ? [joined.subarray(n)] : [];
    }
    this.buffered -= n;
    return out;
  }
}
