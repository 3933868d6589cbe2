import { connect, type Socket } from 'node:net';
import { type ConnectionOptions, connect as connectTls } from 'node:tls';

/** A raw TCP connection to a broker for tests that send hand-made bytes. */
export class RawClient {
  private chunks: Buffer[] = [];
  private closed = false;
  private waiters: (() => void)[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static open(bootstrap: string): Promise<RawClient> {
    const [host, port] = bootstrap.split(':');
    return new Promise((resolve, reject) => {
      const s = connect({ host: host!, port: Number(port) }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** A TLS connection; resolves once the handshake is done, rejects when it fails. */
  static openTls(bootstrap: string, options: ConnectionOptions): Promise<RawClient> {
    const [host, port] = bootstrap.split(':');
    return new Promise((resolve, reject) => {
      const s = connectTls({ host: host!, port: Number(port), ...options }, () => resolve(new RawClient(s)));
      s.once('error', reject);
      s.once('close', () => reject(new Error('closed during the TLS handshake')));
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  write(bytes: Buffer | Buffer[]): void {
    for (const b of Array.isArray(bytes) ? bytes : [bytes]) this.socket.write(b);
  }

  /** Resolves with the next whole response frame (without its size), or null once the broker closed. */
  async readFrame(timeoutMs = 5000): Promise<Buffer | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Chunks are joined only once a whole frame is in: large responses arrive in many chunks.
      let buffered = 0;
      for (const c of this.chunks) buffered += c.length;
      if (buffered >= 4) {
        const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : Buffer.concat(this.chunks);
        const size = head.readInt32BE(0);
        if (buffered >= 4 + size) {
          const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, buffered);
          this.chunks = [all.subarray(4 + size)];
          return all.subarray(4, 4 + size);
        }
      }
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a response');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves true when the broker closes the connection within the timeout. */
  async closedByPeer(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }

  /** Stops reading: what the broker sends stays in the kernel's buffers, as with a client that never reads. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    this.socket.destroy();
  }
}
