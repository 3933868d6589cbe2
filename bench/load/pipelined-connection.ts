import { connect, type Socket } from 'node:net';
import { TickCork } from '../../src/common/tick-cork.js';

/** Called with a response frame (size prefix removed) that is valid only until the handler returns. */
export type FrameHandler = (frame: Buffer, latencyNs: bigint) => void;

/** Room the socket reads into at least: smaller gaps are compacted or the buffer grows first. */
const MIN_READ = 256 * 1024;
const INITIAL_BYTES = 4 << 20;

/**
 * A bare pipelined Kafka connection for load generation: sends pre-encoded request frames and
 * matches responses by correlation id, without decoding bodies it does not need.
 *
 * A load generator must cost less than what it measures. The kernel reads straight into one
 * reusable receive buffer (the socket's `onread` option) and frames are handed out as views of it,
 * so a consumer reading hundreds of MB/s allocates nothing per response (assembling frames with
 * `Buffer.concat` spent most of its CPU in the garbage collector). Requests sent in the same tick
 * leave in one write.
 */
export class PipelinedConnection {
  private readonly pending = new Map<number, { sentNs: bigint; handler: FrameHandler }>();
  private socket!: Socket;
  private buf = Buffer.allocUnsafe(INITIAL_BYTES);
  /** First byte not yet handed out, and the end of what was read. */
  private start = 0;
  private end = 0;
  private cork!: TickCork;

  static open(host: string, port: number): Promise<PipelinedConnection> {
    const conn = new PipelinedConnection();
    return new Promise((resolve, reject) => {
      const s = connect(
        {
          host,
          port,
          noDelay: true,
          onread: { buffer: () => conn.readBuffer(), callback: (n: number) => conn.received(n) },
        },
        () => resolve(conn),
      );
      conn.socket = s;
      conn.cork = new TickCork(s);
      s.once('error', reject);
    });
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends a frame whose correlation id is `id`; resolves with a copy of the response frame and its latency. */
  send(frame: Buffer[], id: number): Promise<{ frame: Buffer; latencyNs: bigint }> {
    return new Promise((resolve) => {
      this.sendWith(frame, id, (f, latencyNs) => resolve({ frame: Buffer.from(f), latencyNs }));
    });
  }

  /**
   * Sends a frame whose correlation id is `id`; `handler` runs when its response arrives, with a
   * view of the receive buffer that it must not keep (no copy, however large the response).
   */
  sendWith(frame: Buffer[], id: number, handler: FrameHandler): void {
    this.pending.set(id, { sentNs: process.hrtime.bigint(), handler });
    // Everything sent before the next tick (e.g. all sends answered by one read) goes out in one writev.
    this.cork.hold();
    for (const b of frame) this.socket.write(b);
  }

  /** Hands out every whole frame read so far; runs before the socket reads again. */
  private received(n: number): boolean {
    this.end += n;
    while (this.end - this.start >= 4) {
      const size = this.buf.readInt32BE(this.start);
      if (this.end - this.start < 4 + size) break;
      const frame = this.buf.subarray(this.start + 4, this.start + 4 + size);
      this.start += 4 + size;
      const id = frame.readInt32BE(0);
      const p = this.pending.get(id);
      if (p) {
        this.pending.delete(id);
        p.handler(frame, process.hrtime.bigint() - p.sentNs);
      }
    }
    return true;
  }

  /**
   * Where the next read lands: after the bytes of the frame in progress, with room for at least
   * MIN_READ bytes and for the whole frame once its size is known. Every earlier frame's handler
   * has returned, so they may be overwritten.
   */
  private readBuffer(): Buffer {
    const partial = this.end - this.start;
    const frameBytes = partial >= 4 ? 4 + this.buf.readInt32BE(this.start) : 0;
    const need = Math.max(frameBytes, partial + MIN_READ);
    if (this.buf.length - this.start < need) {
      if (this.buf.length < need) {
        const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
        this.buf.copy(bigger, 0, this.start, this.end);
        this.buf = bigger;
      } else {
        this.buf.copyWithin(0, this.start, this.end);
      }
      this.start = 0;
      this.end = partial;
    } else if (partial === 0) {
      this.start = 0;
      this.end = 0;
    }
    return this.buf.subarray(this.end);
  }

  close(): void {
    this.socket.destroy();
  }
}
