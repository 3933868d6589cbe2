import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { Logger } from '../../common/logger.js';
import { saslClientExchange } from '../../common/sasl-client-exchange.js';
import { StromError } from '../../common/strom-error.js';
import {
  decodeResponse,
  encodeRequest,
  peekCorrelationId,
  type RequestBody,
  type ResponseBody,
} from '../../protocol/frame.js';
import { FrameSplitter } from '../../protocol/frame-splitter.js';
import { ApiKey } from '../../protocol/generated/api-registry.js';
import type { MessageInput } from '../../protocol/message-codec.js';
import type { InterBrokerSecurity } from '../security/inter-broker-security.js';

/** Largest response a broker accepts from another: what a WriteTxnMarkers or CreateTopics answer needs, with room. */
const RESPONSE_BYTES_MAX = 100 * 1024 * 1024;

/** The SASL versions every Strom broker serves: SaslHandshake v1 announces SaslAuthenticate, v2 of which tells the session lifetime. */
const SASL_HANDSHAKE_VERSION = 1;
const SASL_AUTHENTICATE_VERSION = 2;

/**
 * The share of a SASL session's lifetime (KIP-368) after which a connection takes no new
 * requests: the next request opens a new, freshly authenticated connection and the old one closes
 * once its answers are in, well before the peer would close it. Kafka's clients re-authenticate
 * at 85-95% of the lifetime; a new connection gives the same guarantee with less state.
 */
const SESSION_SHARE_USED = 0.85;

const PLAINTEXT: InterBrokerSecurity = { securityProtocol: 'PLAINTEXT', tls: null, sasl: null };

/** A request to another broker got no answer: it could not connect, the connection closed, or it timed out. */
export class InterBrokerRequestError extends StromError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INTER_BROKER_REQUEST_FAILED', message, options);
  }
}

/** The other broker refused this one's SASL authentication (wrong credentials, mechanism not enabled): a misconfiguration. */
export class InterBrokerAuthenticationError extends InterBrokerRequestError {}

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

  /** When the connection stops taking requests because its SASL session ends (Infinity without a lifetime). */
  private retireAtMs = Number.POSITIVE_INFINITY;
  private retiring = false;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly clientId: string,
    private readonly security: InterBrokerSecurity,
    private readonly onClosed: () => void,
  ) {
    const splitter = new FrameSplitter(RESPONSE_BYTES_MAX, { limitName: 'inter-broker response limit' });
    const tls = security.tls;
    this.socket = tls
      ? connectTls({ host, port, ...tls }).setNoDelay(true)
      : connect({ host, port, noDelay: true });
    const connected = new Promise<void>((resolve, reject) => {
      this.socket.once(tls ? 'secureConnect' : 'connect', () => resolve());
      this.socket.once('error', (err) =>
        reject(
          new InterBrokerRequestError(`cannot connect to ${host}:${port}: ${err.message}`, { cause: err }),
        ),
      );
    });
    this.ready = connected
      .then(() => this.authenticate())
      .catch((err: unknown) => {
        throw err instanceof InterBrokerRequestError
          ? err
          : new InterBrokerAuthenticationError(
              `cannot authenticate to ${host}:${port}: ${(err as Error).message}`,
              { cause: err },
            );
      });
    this.ready.catch((err: Error) => this.close(err));
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

  /**
   * SaslHandshake then SaslAuthenticate until the mechanism's exchange completes (KIP-152), as a
   * user of the peer's inter-broker listener; a refusal fails the connection and every request
   * waiting for it.
   */
  private async authenticate(): Promise<void> {
    const sasl = this.security.sasl;
    if (sasl === null) return;
    const exchange = saslClientExchange(sasl.mechanism, sasl.username, sasl.password);
    const timeoutMs = 30_000;
    const handshake = (await this.send(
      ApiKey.SaslHandshake,
      SASL_HANDSHAKE_VERSION,
      { mechanism: exchange.mechanism },
      timeoutMs,
    )) as ResponseBody<typeof ApiKey.SaslHandshake>;
    if (handshake.errorCode !== 0) {
      throw new InterBrokerAuthenticationError(
        `${this.host}:${this.port} does not enable ${exchange.mechanism} (it offers ${handshake.mechanisms.join(', ')})`,
      );
    }
    let token: Buffer | null = exchange.initial();
    const startedMs = Date.now();
    while (token !== null) {
      const res = (await this.send(
        ApiKey.SaslAuthenticate,
        SASL_AUTHENTICATE_VERSION,
        { authBytes: token },
        timeoutMs,
      )) as ResponseBody<typeof ApiKey.SaslAuthenticate>;
      if (res.errorCode !== 0) {
        throw new InterBrokerAuthenticationError(
          `${exchange.mechanism} authentication as ${sasl.username} to ${this.host}:${this.port} failed: ${res.errorMessage ?? `error ${res.errorCode}`}`,
        );
      }
      token = exchange.next(res.authBytes);
      if (res.sessionLifetimeMs > 0n)
        this.retireAtMs = startedMs + Number(res.sessionLifetimeMs) * SESSION_SHARE_USED;
    }
  }

  /** Whether the connection should take no new request: its SASL session is near its end. */
  expired(nowMs: number): boolean {
    return nowMs >= this.retireAtMs;
  }

  /** Takes no new request and closes once the requests in flight are answered. */
  retire(): void {
    this.retiring = true;
    if (this.pending.size === 0) this.close();
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
    if (this.retiring && this.pending.size === 0) this.close();
  }

  send(apiKey: number, version: number, body: unknown, timeoutMs: number): Promise<unknown> {
    if (this.closed) return Promise.reject(new InterBrokerRequestError('connection closed'));
    const id = this.nextCorrelationId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        if (this.retiring && this.pending.size === 0) this.close();
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
 * channel and the transaction marker channel): one connection per broker address on the
 * inter-broker listener, with that listener's security (TLS, SASL, or both; see
 * `interBrokerSecurity`), opened on first use and again after it fails or its SASL session nears
 * its end. Versions are the caller's choice: every broker of a cluster runs the same Strom, so it
 * asks for the version it serves.
 */
export class InterBrokerClient {
  private readonly connections = new Map<string, BrokerConnection>();
  /** Addresses whose last connection failed SASL authentication: logged once until one succeeds. */
  private readonly refusedBy = new Set<string>();
  private closed = false;

  constructor(
    private readonly clientId: string,
    private readonly logger: Logger,
    private readonly security: InterBrokerSecurity = PLAINTEXT,
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
    if (c?.expired(Date.now())) {
      this.connections.delete(key);
      c.retire();
      c = undefined;
    }
    if (!c) {
      const created: BrokerConnection = new BrokerConnection(
        address.host,
        address.port,
        this.clientId,
        this.security,
        () => {
          if (this.connections.get(key) === created) this.connections.delete(key);
        },
      );
      c = created;
      this.connections.set(key, c);
      this.logger.debug(
        { broker: key, securityProtocol: this.security.securityProtocol },
        'inter-broker connection opened',
      );
    }
    try {
      await c.ready;
      this.refusedBy.delete(key);
    } catch (err) {
      if (err instanceof InterBrokerAuthenticationError && !this.refusedBy.has(key)) {
        this.refusedBy.add(key);
        this.logger.error(
          { broker: key, err: err.message },
          'another broker refused this broker on the inter-broker listener',
        );
      }
      throw err;
    }
    return (await c.send(apiKey, version, body, timeoutMs)) as ResponseBody<K>;
  }

  close(): void {
    this.closed = true;
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
  }
}
