import { connect, type Socket } from 'node:net';
import type { Logger } from '../../common/logger.js';
import { StromError } from '../../common/strom-error.js';
import {
  decodeResponse,
  encodeRequest,
  peekCorrelationId,
  type RequestBody,
  type ResponseBody,
} from '../../protocol/frame.js';
import { FrameSplitter } from '../../protocol/frame-splitter.js';
import type { MessageInput } from '../../protocol/message-codec.js';

/** Largest response a broker accepts from another: what a WriteTxnMarkers or CreateTopics answer needs, with room. */
const RESPONSE_BYTES_MAX = 100 * 1024 * 1024;

/** A request to another broker got no answer: it could not connect, the connection closed, or it timed out. */
export class InterBrokerRequestError extends StromError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INTER_BROKER_REQUEST_FAILED', message, options);
  }
}

interface Pending {
  readonly apiKey: number;
  readonly version: number;
  readonly resolve: (body: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** One connection to one broker's inter-broker listener, pipelined, answers matched by correlation id. */
class BrokerConnection {
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private closed = false;
  readonly ready: Promise<void>;
  private readonly socket: Socket;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly clientId: string,
    private readonly onClosed: () => void,
  ) {
    const splitter = new FrameSplitter(RESPONSE_BYTES_MAX, { limitName: 'inter-broker response limit' });
    this.socket = connect({ host, port, noDelay: true });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', (err) =>
        reject(
          new InterBrokerRequestError(`cannot connect to ${host}:${port}: ${err.message}`, { cause: err }),
        ),
      );
    });
    this.ready.catch(() => undefined);
    this.socket.on('data', (chunk: Buffer) => {
      let frames: readonly Buffer[];
      try {
        frames = splitter.push(chunk);
      } catch (err) {
        this.close(err as Error);
        return;
      }
      for (const f of frames) this.answer(f);
    });
    this.socket.on('error', (err) => this.close(err));
    this.socket.on('close', () => this.close(new Error('connection closed')));
  }

  private answer(frame: Buffer): void {
    const id = peekCorrelationId(frame);
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    try {
      p.resolve(decodeResponse(p.apiKey, p.version, frame).body);
    } catch (err) {
      p.reject(
        new InterBrokerRequestError(`undecodable response from ${this.host}:${this.port}`, { cause: err }),
      );
    }
  }

  send(apiKey: number, version: number, body: unknown, timeoutMs: number): Promise<unknown> {
    if (this.closed) return Promise.reject(new InterBrokerRequestError('connection closed'));
    const id = this.nextCorrelationId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new InterBrokerRequestError(`no answer from ${this.host}:${this.port} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, { apiKey, version, resolve, reject, timer });
      for (const b of encodeRequest(apiKey, version, id, this.clientId, body as MessageInput<unknown>))
        this.socket.write(b);
    });
  }

  close(cause?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(
        new InterBrokerRequestError(
          `connection to ${this.host}:${this.port} lost: ${cause?.message ?? 'closed'}`,
          { cause },
        ),
      );
    }
    this.pending.clear();
    this.onClosed();
  }
}

/**
 * Requests from this broker to others (Kafka's NetworkClient behind the broker-to-controller
 * channel and the transaction marker channel): one PLAINTEXT connection per broker address on the
 * inter-broker listener, opened on first use and again after it fails. Versions are the caller's
 * choice: every broker of a cluster runs the same Strom, so it asks for the version it serves.
 */
export class InterBrokerClient {
  private readonly connections = new Map<string, BrokerConnection>();
  private closed = false;

  constructor(
    private readonly clientId: string,
    private readonly logger: Logger,
  ) {}

  async send<K extends number>(
    address: { readonly host: string; readonly port: number },
    apiKey: K,
    version: number,
    body: MessageInput<RequestBody<K>>,
    timeoutMs: number,
  ): Promise<ResponseBody<K>> {
    if (this.closed) throw new InterBrokerRequestError('inter-broker client closed');
    const key = `${address.host}:${address.port}`;
    let c = this.connections.get(key);
    if (!c) {
      const created: BrokerConnection = new BrokerConnection(
        address.host,
        address.port,
        this.clientId,
        () => {
          if (this.connections.get(key) === created) this.connections.delete(key);
        },
      );
      c = created;
      this.connections.set(key, c);
      this.logger.debug({ broker: key }, 'inter-broker connection opened');
    }
    await c.ready;
    return (await c.send(apiKey, version, body, timeoutMs)) as ResponseBody<K>;
  }

  close(): void {
    this.closed = true;
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
  }
}
