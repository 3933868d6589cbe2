import type { Socket } from 'node:net';
import type { Logger } from '../../common/logger.js';
import { StromError } from '../../common/strom-error.js';
import { TickCork } from '../../common/tick-cork.js';
import { FrameSplitter } from '../../protocol/frame-splitter.js';
import type { ConnectionSession } from '../security/connection-session.js';
import { BudgetClosedError, ByteBudget } from './byte-budget.js';
import { RequestMemoryPool } from './request-memory-pool.js';

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
  /**
   * The connection's principal and authentication state. Absent where no connection serves the
   * request (handlers called directly), which counts as authenticated.
   */
  readonly session?: ConnectionSession;
  /**
   * Memory this connection's requests may hold for their responses at once (records read for
   * fetches, work in progress). Handlers that make large responses take a lease before they read
   * and give it back after the response is sent (RequestContext.afterResponse). Absent where no
   * connection serves the request (handlers called directly).
   */
  readonly budget?: ByteBudget;
  /**
   * Mutes the connection for `ms` (a client over its quota, KIP-219): nothing more is read from
   * it or dispatched until then. Absent where no connection serves the request.
   */
  readonly throttle?: (ms: number) => void;
}

/**
 * A response's frames (size prefix included). `onSent` runs once they are handed to the kernel,
 * or dropped with the connection: then the buffers they refer to may be reused.
 */
export type ResponseFrames = Buffer[] & {
  onSent?: () => void;
  /** Close the connection once these frames are written (nothing after them is answered). */
  closeAfter?: boolean;
};

/**
 * Handles one request frame (header and body, size prefix stripped). Resolves to the response
 * frames, or null when the request takes no response (Produce with acks=0).
 */
export type FrameHandler = (
  frame: Buffer,
  ctx: ConnectionContext,
  /** How long the frame waited, read and undispatched, behind the connection's in-flight limit. */
  queueTimeMs: number,
) => Promise<ResponseFrames | null> | ResponseFrames | null;

export interface ConnectionLimits {
  /**
   * Largest request (socket.request.max.bytes); also the request bytes one connection may hold
   * (received and not yet handled) before it stops reading.
   */
  readonly maxFrameBytes: number;
  /** Requests in flight before the connection stops reading (queued.max.requests). */
  readonly maxInFlight: number;
  /**
   * Bytes of responses in flight (reserved by handlers, or unsent) before the connection stops
   * reading and its fetches wait to read (strom.queued.max.response.bytes).
   */
  readonly maxQueuedResponseBytes: number;
  readonly idleTimeoutMs: number;
}

interface Pending {
  /** Request bytes taken from the pool for this request, given back once it is handled. */
  readonly requestBytes: number;
  done: boolean;
  response: ResponseFrames | null;
  close: boolean;
  /** Dropped from the queue before it was answered (the connection failed): never written. */
  dropped: boolean;
}

/**
 * One client connection: frames in, handler calls pipelined, responses out in request order.
 * Its memory is bounded whatever the client sends or fails to read: it stops reading while
 * `queued.max.requests` requests are in flight (counted per request: frames of one read beyond the
 * limit wait, undispatched), while the request bytes it holds reach socket.request.max.bytes, while its
 * responses in flight (its ByteBudget, and bytes the kernel has not taken) reach
 * `strom.queued.max.response.bytes`, and before starting a request while the broker's request
 * memory pool (`queued.max.request.bytes`) is used up. That is the whole of the back-pressure.
 */
export class Connection {
  private readonly decoder: FrameSplitter;
  private readonly queue: Pending[] = [];
  /** Frames received but not dispatched yet: the in-flight limit was reached within one read. */
  private readonly backlog: { frame: Buffer; requestBytes: number; receivedAtMs: number }[] = [];
  /** True while onData dispatches: lastActive is then the time now. */
  private reading = false;
  /** Request bytes held: frames in the backlog and in flight (the incomplete one is the decoder's). */
  private requestBytes = 0;
  /** Pool bytes taken for the incomplete frame being read (its whole size). */
  private partialBytes = 0;
  /** Set while waiting for the request pool to have memory for the next frame. */
  private poolWaiter: (() => void) | null = null;
  private readonly budget: ByteBudget;
  private paused = false;
  /** Muted by a quota until throttleTimer fires. */
  private throttled = false;
  private throttledUntilMs = 0;
  private throttleTimer: NodeJS.Timeout | null = null;
  private readonly cork: TickCork;
  private closing = false;
  /** Shutting down: answers what it dispatched, reads and dispatches nothing more. */
  private draining = false;
  private lastActive = Date.now();

  constructor(
    private readonly socket: Socket,
    ctx: Omit<ConnectionContext, 'budget'>,
    private readonly handler: FrameHandler,
    private readonly limits: ConnectionLimits,
    private readonly onClose: (c: Connection) => void,
    private readonly pool: RequestMemoryPool = new RequestMemoryPool(-1),
  ) {
    this.decoder = new FrameSplitter(limits.maxFrameBytes, { limitName: 'socket.request.max.bytes' });
    this.budget = new ByteBudget(limits.maxQueuedResponseBytes, () => this.maybeResume());
    this.ctx = { ...ctx, budget: this.budget, throttle: (ms) => this.throttle(ms) };
    this.cork = new TickCork(socket);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.maybeResume());
    socket.on('error', (err) => ctx.log.debug({ err }, 'connection error'));
    socket.on('close', () => {
      this.closing = true;
      if (this.throttleTimer !== null) clearTimeout(this.throttleTimer);
      this.throttleTimer = null;
      this.releaseHeld();
      this.onClose(this);
    });
  }

  private readonly ctx: ConnectionContext;

  get id(): string {
    return this.ctx.connectionId;
  }

  get listenerName(): string {
    return this.ctx.listenerName;
  }

  get inFlight(): number {
    return this.queue.length;
  }

  /** Whether no request is pending and nothing was received for the idle timeout. */
  isIdle(now: number): boolean {
    return this.queue.length === 0 && now - this.lastActive >= this.limits.idleTimeoutMs;
  }

  /** Whether a quota has muted the connection. */
  get isThrottled(): boolean {
    return this.throttled;
  }

  /**
   * Reads and dispatches nothing for `ms`, as Kafka's Selector keeps a throttled channel muted
   * (KafkaChannel's MUTED_AND_THROTTLED): frames already read wait in the backlog.
   */
  private throttle(ms: number): void {
    if (this.closing || ms <= 0) return;
    const until = Date.now() + ms;
    if (until <= this.throttledUntilMs) return;
    this.throttledUntilMs = until;
    this.throttled = true;
    if (this.throttleTimer !== null) clearTimeout(this.throttleTimer);
    this.throttleTimer = setTimeout(() => {
      this.throttleTimer = null;
      this.throttled = false;
      this.maybeResume();
    }, ms);
    this.pause();
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
    this.draining = true;
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
    let frames: readonly Buffer[];
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
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]!;
      // The first frame may complete the one whose size was taken from the pool when it began;
      // the others arrived whole in this read and are in memory already.
      if (i === 0 && this.partialBytes > 0) this.partialBytes = 0;
      else this.pool.allocate(frame.length);
      this.requestBytes += frame.length;
      this.backlog.push({ frame, requestBytes: frame.length, receivedAtMs: this.lastActive });
    }
    this.reading = true;
    this.dispatchBacklog();
    this.reading = false;
    this.reserveNextFrame();
    // While the pool is used up, a connection reads nothing more (not even small requests) until
    // memory is given back, as Kafka's Selector mutes every channel while its pool is out of memory;
    // the frame whose size it took is read to its end.
    if (this.partialBytes === 0 && !this.pool.available) this.waitForPool();
    this.maybePause();
  }

  /** Dispatches waiting frames while the in-flight limit allows, one request at a time. */
  private dispatchBacklog(): void {
    while (
      this.backlog.length > 0 &&
      !this.closing &&
      !this.throttled &&
      this.queue.length < this.limits.maxInFlight
    ) {
      const { frame, requestBytes, receivedAtMs } = this.backlog.shift()!;
      // While reading, lastActive is now: no clock is read for the frames of this read, which
      // waited for nothing. Date.now's milliseconds suffice: a frame held back waits that long.
      const nowMs = this.reading ? this.lastActive : Date.now();
      this.dispatch(frame, requestBytes, Math.max(0, nowMs - receivedAtMs));
    }
  }

  /**
   * Takes the whole size of the frame being read from the pool, as Kafka's NetworkReceive does
   * before it reads a body; when the pool is used up, stops reading until it is not.
   */
  private reserveNextFrame(): void {
    const expected = this.decoder.expectedFrameBytes;
    if (this.closing || this.partialBytes > 0 || expected < 0) return;
    if (this.pool.tryAllocate(expected)) this.partialBytes = expected;
    else this.waitForPool();
  }

  private waitForPool(): void {
    if (this.poolWaiter !== null) return;
    const resume = (): void => {
      this.poolWaiter = null;
      this.reserveNextFrame();
      this.maybeResume();
    };
    this.poolWaiter = resume;
    this.pause();
    this.pool.whenAvailable(resume);
  }

  /** Gives back every request byte this connection holds that no handler will give back. */
  private releaseHeld(): void {
    this.budget.close();
    if (this.poolWaiter) this.pool.cancel(this.poolWaiter);
    this.poolWaiter = null;
    for (const b of this.backlog.splice(0)) {
      this.requestBytes -= b.requestBytes;
      this.pool.release(b.requestBytes);
    }
    if (this.partialBytes > 0) this.pool.release(this.partialBytes);
    this.partialBytes = 0;
  }

  private dispatch(frame: Buffer, requestBytes: number, queueTimeMs: number): void {
    const entry: Pending = { requestBytes, done: false, response: null, close: false, dropped: false };
    this.queue.push(entry);
    let handled = false;
    const finish = (response: ResponseFrames | null, close: boolean): void => {
      if (!handled) {
        handled = true;
        this.requestBytes -= requestBytes;
        this.pool.release(requestBytes);
      }
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
      const result = this.handler(frame, this.ctx, queueTimeMs);
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
    // A request still waiting for memory when its connection closed: nothing went wrong.
    if (err instanceof BudgetClosedError) return true;
    if (err instanceof CloseConnectionError) {
      this.ctx.log.warn({ err: err.cause ?? err, clientAddress: this.ctx.clientAddress }, err.message);
    } else {
      this.ctx.log.error({ err, clientAddress: this.ctx.clientAddress }, 'unexpected error handling request');
    }
    return true;
  }

  /** Drops every request still queued: none of them will be answered. */
  private dropQueued(): void {
    for (const p of this.queue) {
      p.dropped = true;
      p.response?.onSent?.();
    }
    this.queue.length = 0;
    this.releaseHeld();
  }

  /** Writes completed responses in request order. */
  private flush(): void {
    while (this.queue.length > 0 && this.queue[0]!.done) {
      const head = this.queue.shift()!;
      if (head.close) {
        this.dropQueued();
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
        if (response.closeAfter) {
          this.dropQueued();
          this.close('closed after its response');
          return;
        }
      }
    }
    this.lastActive = Date.now();
    this.maybeResume();
  }

  private overloaded(): boolean {
    return (
      this.throttled ||
      this.backlog.length > 0 ||
      this.queue.length >= this.limits.maxInFlight ||
      this.poolWaiter !== null ||
      this.requestBytes + this.decoder.bufferedBytes >= this.limits.maxFrameBytes ||
      this.budget.exhausted ||
      this.socket.writableLength + this.budget.usedBytes > this.limits.maxQueuedResponseBytes
    );
  }

  private pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private maybePause(): void {
    if (!this.paused && this.overloaded()) this.pause();
  }

  private maybeResume(): void {
    if (this.closing || this.draining) return;
    this.dispatchBacklog();
    if (this.paused && !this.overloaded()) {
      this.paused = false;
      this.socket.resume();
    }
  }
}
