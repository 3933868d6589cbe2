import { connect, type Socket } from 'node:net';

/**
 * A bare pipelined Kafka connection for load generation: sends pre-encoded request frames and
 * matches responses by correlation id, without decoding bodies it does not need.
 */
export class PipelinedConnection {
  private pending = new Map<number, { sentNs: bigint; resolve: (frame: Buffer) => void }>();
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Size of the frame being assembled (prefix included), or -1 until its size prefix is in. */
  private needed = -1;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  static open(host: string, port: number): Promise<PipelinedConnection> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port, noDelay: true }, () => resolve(new PipelinedConnection(s)));
      s.once('error', reject);
    });
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends a frame whose correlation id is `id`; resolves with the response frame and its latency. */
  send(frame: Buffer[], id: number): Promise<{ frame: Buffer; latencyNs: bigint }> {
    return new Promise((resolve) => {
      const sentNs = process.hrtime.bigint();
      this.pending.set(id, {
        sentNs,
        resolve: (f) => resolve({ frame: f, latencyNs: process.hrtime.bigint() - sentNs }),
      });
      this.socket.cork();
      for (const b of frame) this.socket.write(b);
      this.socket.uncork();
    });
  }

  /** Collects chunks and joins them only once a whole frame is in: large responses are copied once. */
  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.needed < 0) {
        if (this.buffered < 4) return;
        if (this.chunks[0]!.length < 4) this.chunks = [Buffer.concat(this.chunks)];
        this.needed = 4 + this.chunks[0]!.readInt32BE(0);
      }
      if (this.buffered < this.needed) return;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      const frame = all.subarray(4, this.needed);
      const rest = all.subarray(this.needed);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.needed = -1;
      const id = frame.readInt32BE(0);
      const p = this.pending.get(id);
      if (p) {
        this.pending.delete(id);
        p.resolve(frame);
      }
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
