/**
 * Free batch buffers of one size (batch.size), as the Java producer's BufferPool keeps: a batch
 * takes one when it starts and gives it back once the broker has acknowledged it, so a steady
 * producer stops allocating large external buffers, whose allocation and collection cost more
 * than filling them. Buffers of any other size are left to the garbage collector.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];

  /**
   * @param bufferBytes the size of every pooled buffer.
   * @param freeMax how many free buffers to keep; more are dropped.
   */
  constructor(
    readonly bufferBytes: number,
    private readonly freeMax: number,
  ) {}

  /** A buffer of at least `bytes`: a pooled one when `bytes` fits the pool's size. */
  take(bytes: number): Buffer {
    if (bytes > this.bufferBytes) return Buffer.allocUnsafeSlow(bytes);
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes);
  }

  /** Returns a buffer from `take`; its contents must no longer be needed by anyone. */
  give(buf: Buffer): void {
    if (buf.length === this.bufferBytes && buf.byteOffset === 0 && this.free.length < this.freeMax) {
      this.free.push(buf);
    }
  }

  get freeCount(): number {
    return this.free.length;
  }
}
