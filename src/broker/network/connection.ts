import type { Socket } from 'node:net';
import type { Logger } from '../../common/logger.js';
import { StromError } from '../../common/strom-error.js';
import { TickCork } from '../../common/tick-cork.js';
import { FrameDecoder } from './frame-decoder.js';

/** Thrown by a handler to close the connection (malformed request, unknown API): Kafka's answer to garbage. */
export class CloseConnectionError extends StromError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('CLOSE_CONNECTION', reason, options);
  }
}

export interface ConnectionContext {
  readonly connectionId: string;
  readonly listenerName: string;
  readonly clientAddress: string;
  readonly log: Logger;
}

/**
 * A response's frames (size prefix included). `onSent` runs once they are handed to the kernel,
 * or dropped with the connection: then the buffers they refer to may be reused.
 */
export type ResponseFrames = Buffer[] & { onSent?: () => void };

/**
 * Handles one request frame (header and body, size prefix stripped). Resolves to the response
 * frames, or null when the request takes no response (Produce with acks=0).
 */
export type FrameHandler = (
  frame: Buffer,
  ctx: ConnectionContext,
) => Promise<ResponseFrames | null> | ResponseFrames | null;

export interface ConnectionLimits {
  readonly maxFrameBytes: number;
  /** Requests in flight before the connection stops reading (queued.max.requests). */
  readonly maxInFlight: number;
  /** Unsent response bytes before the connection stops reading. */
  readonly maxQueuedResponseBytes: number;
  readonly idleTimeoutMs: number;
}

interface Pending {
  done: boolean;
  response: ResponseFrames | null;
  close: boolean;
  /** Dropped from the queue before it was answered (the connection failed): never written. */
  dropped: boolean;
}

/**
 * One client connection: frames in, handler calls pipelined, responses out in request order.
 * It stops reading while too many requests are in flight or too many response bytes are unsent,
 * which is the whole of the broker's back-pressure.
 */
export class Connection {
  private readonly decoder: FrameDecoder;
  private readonly queue: Pending[] = [];
  private paused = false;
  private readonly cork: TickCork;
  private closing = false;
  private lastActive = Date.now();

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ConnectionContext,
    private readonly handler: FrameHandler,
    private readonly limits: ConnectionLimits,
    private readonly onClose: (c: Connection) => void,
  ) {
    this.decoder = new FrameDecoder(limits.maxFrameBytes);
    this.cork = new TickCork(socket);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.maybeResume());
    socket.on('error', (err) => ctx.log.debug({ err }, 'connection error'));
    socket.on('close', () => {
      this.closing = true;
      this.onClose(this);
    });
  }

  get id(): string {
    return this.ctx.connectionId;
  }

  get inFlight(): number {
    return this.queue.length;
  }

  /** Whether no request is pending and nothing was received for the idle timeout. */
  isIdle(now: number): boolean {
    return this.queue.length === 0 && now - this.lastActive >= this.limits.idleTimeoutMs;
  }

  close(reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.ctx.log.debug({ reason }, 'closing connection');
    this.socket.end();
    this.socket.destroySoon();
  }

  /** Closes once every accepted request has been answered (graceful shutdown). */
  closeWhenDrained(): Promise<void> {
    this.socket.pause();
    this.paused = true;
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.queue.length === 0 || this.socket.destroyed) {
          this.close('shutdown');
          resolve();
        } else setTimeout(check, 5);
      };
      check();
    });
  }

  private onData(chunk: Buffer): void {
    this.lastActive = Date.now();
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.ctx.log.warn(
        { err, clientAddress: this.ctx.clientAddress },
        'invalid request size; closing connection',
      );
      this.socket.destroy();
      return;
    }
    for (const frame of frames) {
      if (this.closing) return;
      this.dispatch(frame);
    }
    this.maybePause();
  }

  private dispatch(frame: Buffer): void {
    const entry: Pending = { done: false, response: null, close: false, dropped: false };
    this.queue.push(entry);
    const finish = (response: ResponseFrames | null, close: boolean): void => {
      if (entry.dropped) {
        response?.onSent?.();
        return;
      }
      entry.done = true;
      entry.response = response;
      entry.close = close;
      this.flush();
    };
    try {
      const result = this.handler(frame, this.ctx);
      if (result instanceof Promise)
        result.then(
          (r) => finish(r, false),
          (err) => finish(null, this.failed(err)),
        );
      else finish(result, false);
    } catch (err) {
      finish(null, this.failed(err));
    }
  }

  /** Logs a handler failure once; every failure closes the connection, as Kafka does for requests it cannot parse. */
  private failed(err: unknown): boolean {
    if (err instanceof CloseConnectionError) {
      this.ctx.log.warn({ err: err.cause ?? err, clientAddress: this.ctx.clientAddress }, err.message);
    } else {
      this.ctx.log.error({ err, clientAddress: this.ctx.clientAddress }, 'unexpected error handling request');
    }
    return true;
  }

  /** Writes completed responses in request order. */
  private flush(): void {
    while (this.queue.length > 0 && this.queue[0]!.done) {
      const head = this.queue.shift()!;
      if (head.close) {
        for (const p of this.queue) {
          p.dropped = true;
          p.response?.onSent?.();
        }
        this.queue.length = 0;
        this.close('request failed');
        return;
      }
      const response = head.response;
      if (response && this.socket.destroyed) response.onSent?.();
      else if (response) {
        // Responses completed in the same tick leave in one writev: fewer syscalls when pipelined.
        this.cork.hold();
        const last = response.length - 1;
        for (let i = 0; i < last; i++) this.socket.write(response[i]!);
        // The callback runs once the bytes are with the kernel, or with an error when the socket dies.
        if (response.onSent) this.socket.write(response[last]!, response.onSent);
        else this.socket.write(response[last]!);
      }
    }
    this.lastActive = Date.now();
    this.maybeResume();
  }

  private overloaded(): boolean {
    return (
      this.queue.length >= this.limits.maxInFlight ||
      this.socket.writableLength > this.limits.maxQueuedResponseBytes
    );
  }

  private maybePause(): void {
    if (!this.paused && this.overloaded()) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private maybeResume(): void {
    if (this.paused && !this.closing && !this.overloaded()) {
      this.paused = false;
      this.socket.resume();
    }
  }
}
