import { connect, isIP, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { Logger } from '../../common/logger.js';
import { decodeResponse, encodeRequest, peekCorrelationId } from '../../protocol/frame.js';
import { FrameSplitter } from '../../protocol/frame-splitter.js';
import { ApiKey } from '../../protocol/generated/api-registry.js';
import { ApiVersionsRequest } from '../../protocol/generated/messages/api-versions-request.js';
import { ApiVersionsResponse } from '../../protocol/generated/messages/api-versions-response.js';
import type { SaslAuthenticateResponse } from '../../protocol/generated/messages/sasl-authenticate-response.js';
import type { SaslHandshakeResponse } from '../../protocol/generated/messages/sasl-handshake-response.js';
import type { MessageInput } from '../../protocol/message-codec.js';
import { ClientError, KafkaError } from '../client-error.js';
import { type BrokerApiRange, clientVersionRange, negotiateVersions } from './api-versions.js';
import type { ClientApi } from './apis.js';
import { clientThrottleMs } from './client-throttle.js';
import { fitToVersion } from './fit-to-version.js';
import { type SaslOptions, saslClientExchange } from './sasl-mechanism.js';

export interface ConnectionOptions {
  host: string;
  port: number;
  /** -1 for a bootstrap connection whose node id is not known yet. */
  nodeId: number;
  clientId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  logger: Logger;
  /** Caps on API versions by API key, applied on top of negotiation. */
  maxVersions?: ReadonlyMap<number, number>;
  /** Largest response frame accepted; guards memory against a confused peer. */
  responseBytesMax?: number;
  /** TLS to the broker (Node's tls.connect options: ca, cert, key, pfx, passphrase, ...); plaintext when absent. */
  tls?: TlsConnectionOptions;
  /** SASL authentication after ApiVersions, before any other request. */
  sasl?: SaslOptions;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides the connection's request timeout (Fetch adds its max wait). */
  timeoutMs?: number;
  /** acks=0 Produce: the broker sends no response, so the call resolves once written. */
  noResponse?: boolean;
}

interface Pending {
  apiKey: number;
  version: number;
  resolve(body: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  cleanup(): void;
}

const CLIENT_SOFTWARE_NAME = 'strom-js';
const CLIENT_SOFTWARE_VERSION = '0.1.0';
const KAFKA_UNSUPPORTED_VERSION = 35;

/**
 * One TCP connection to one broker. Requests are pipelined: each gets a correlation id and
 * responses are matched back by it (Kafka answers in order, but matching by id also catches a
 * confused peer). Versions are negotiated once with ApiVersions (KIP-35, KIP-511).
 */
export class BrokerConnection {
  private socket: Socket | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private versions = new Map<number, number>();
  private connecting: Promise<void> | null = null;
  private closedError: ClientError | null = null;
  /** Until when (epoch ms) the broker throttles this client: no request is sent before (KIP-219). */
  private throttledUntilMs = 0;
  readonly log: Logger;

  constructor(readonly options: ConnectionOptions) {
    this.log = options.logger.child({ nodeId: options.nodeId, host: options.host, port: options.port });
  }

  get connected(): boolean {
    return this.socket !== null && this.closedError === null && this.connecting === null;
  }

  get isClosed(): boolean {
    return this.closedError !== null;
  }

  /** The negotiated version of an API, or undefined when the broker and client share none. */
  versionOf(apiKey: number): number | undefined {
    return this.versions.get(apiKey);
  }

  /** Opens the socket and negotiates versions; concurrent callers share one attempt. */
  connect(signal?: AbortSignal): Promise<void> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (this.socket && !this.connecting) return Promise.resolve();
    this.connecting ??= this.open(signal).finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(signal?: AbortSignal): Promise<void> {
    const { host, port, connectTimeoutMs } = this.options;
    const splitter = new FrameSplitter(this.options.responseBytesMax ?? 512 * 1024 * 1024, {
      limitName: 'the client response size limit',
    });
    const tlsOptions = this.options.tls;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = tlsOptions
        ? this.openTls(host, port, tlsOptions, splitter)
        : this.openPlain(host, port, splitter);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        s.destroy();
        reject(err);
      };
      const onAbort = (): void =>
        fail(new ClientError('ABORTED', 'connect aborted', { cause: signal?.reason }));
      const timer = setTimeout(
        () => fail(new ClientError('CONNECTION_FAILED', `connect to ${host}:${port} timed out`)),
        connectTimeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      s.once('error', (err) =>
        fail(new ClientError('CONNECTION_FAILED', `connect to ${host}:${port} failed`, { cause: err })),
      );
      s.once(tlsOptions ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        s.removeAllListeners('error');
        resolve(s);
      });
    });
    this.attach(socket);
    try {
      await this.negotiate(signal);
      if (this.options.sasl) await this.authenticate(this.options.sasl, signal);
    } catch (err) {
      this.close(err instanceof ClientError ? err : undefined);
      throw err;
    }
    this.log.debug({ apis: this.versions.size }, 'connected');
  }

  private openPlain(host: string, port: number, splitter: FrameSplitter): Socket {
    const s: Socket = connect({
      host,
      port,
      noDelay: true,
      // The kernel reads straight into the frame being assembled (see FrameSplitter).
      onread: {
        buffer: () => splitter.nextBuffer(),
        callback: (n: number, buf: Uint8Array): boolean => {
          this.onRead(s, splitter, n, buf as Buffer);
          return true;
        },
      },
    });
    return s;
  }

  /** TLS reads arrive decrypted in buffers of their own, which the splitter keeps as frames. */
  private openTls(
    host: string,
    port: number,
    options: TlsConnectionOptions,
    splitter: FrameSplitter,
  ): Socket {
    // Java's ssl.endpoint.identification.algorithm=https: the certificate must name the host.
    const servername = isIP(host) === 0 ? host : undefined;
    const s = connectTls({ host, port, ...(servername ? { servername } : {}), ...options });
    s.setNoDelay(true);
    s.on('data', (chunk: Buffer) => {
      if (this.socket !== null && this.socket !== s) return;
      let frames: readonly Buffer[];
      try {
        frames = splitter.push(chunk);
      } catch (err) {
        this.close(new ClientError('CONNECTION_CLOSED', 'bad response frame', { cause: err }));
        return;
      }
      for (const f of frames) this.onFrame(f);
    });
    return s;
  }

  /**
   * SaslHandshake then SaslAuthenticate until the mechanism's exchange completes (KIP-152): the
   * connection is usable for other requests only after that, as on a Kafka broker.
   */
  private async authenticate(o: SaslOptions, signal?: AbortSignal): Promise<void> {
    const exchange = saslClientExchange(o);
    const handshakeVersion = this.versions.get(ApiKey.SaslHandshake);
    const authenticateVersion = this.versions.get(ApiKey.SaslAuthenticate);
    if (handshakeVersion === undefined || authenticateVersion === undefined || handshakeVersion < 1) {
      throw new ClientError(
        'UNSUPPORTED_API',
        'the broker does not offer SaslHandshake v1 and SaslAuthenticate',
        { retriable: false },
      );
    }
    const hs = (await this.send(
      ApiKey.SaslHandshake,
      handshakeVersion,
      { mechanism: exchange.mechanism },
      { signal },
    )) as SaslHandshakeResponse;
    if (hs.errorCode !== 0) {
      throw new ClientError(
        'SASL_AUTHENTICATION_FAILED',
        `the broker does not enable ${exchange.mechanism} (it offers ${hs.mechanisms.join(', ')})`,
        { kafkaCode: hs.errorCode, retriable: false },
      );
    }
    let token: Buffer | null = exchange.initial();
    while (token !== null) {
      const res = (await this.send(
        ApiKey.SaslAuthenticate,
        authenticateVersion,
        { authBytes: token },
        { signal },
      )) as SaslAuthenticateResponse;
      if (res.errorCode !== 0) {
        throw new ClientError(
          'SASL_AUTHENTICATION_FAILED',
          res.errorMessage ?? 'SASL authentication failed',
          {
            kafkaCode: res.errorCode,
            retriable: false,
          },
        );
      }
      token = exchange.next(res.authBytes);
    }
  }

  private onRead(socket: Socket, splitter: FrameSplitter, n: number, buf: Buffer): void {
    // Bytes that arrive before the connect promise settles still belong to this socket.
    if (this.socket !== null && this.socket !== socket) return;
    let frames: readonly Buffer[];
    try {
      frames = splitter.read(n, buf);
    } catch (err) {
      this.close(new ClientError('CONNECTION_CLOSED', 'bad response frame', { cause: err }));
      return;
    }
    for (const f of frames) this.onFrame(f);
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    socket.on('error', (err) => {
      this.log.debug({ err }, 'socket error');
      this.close(new ClientError('CONNECTION_CLOSED', 'connection error', { cause: err }));
    });
    socket.on('close', () => this.close(new ClientError('CONNECTION_CLOSED', 'connection closed by broker')));
  }

  /**
   * ApiVersions at our newest version; a broker that does not know it answers with v0 and
   * UNSUPPORTED_VERSION plus its own range (KIP-511), so we retry at the broker's newest.
   */
  private async negotiate(signal?: AbortSignal): Promise<void> {
    const body = { clientSoftwareName: CLIENT_SOFTWARE_NAME, clientSoftwareVersion: CLIENT_SOFTWARE_VERSION };
    let version = Math.min(
      clientVersionRange(ApiKey.ApiVersions)!.max,
      this.options.maxVersions?.get(ApiKey.ApiVersions) ?? Number.MAX_SAFE_INTEGER,
    );
    for (let attempt = 0; attempt < 3; attempt++) {
      const fitted = fitToVersion(
        ApiVersionsRequest.fields,
        version,
        body,
      ) as MessageInput<ApiVersionsRequest>;
      const res = await this.send(ApiKey.ApiVersions, version, fitted, { signal });
      const decoded = res as ApiVersionsResponse;
      if (decoded.errorCode === KAFKA_UNSUPPORTED_VERSION) {
        const mine = decoded.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions);
        version = Math.min(version - 1, mine?.maxVersion ?? 0);
        if (version < 0) break;
        continue;
      }
      if (decoded.errorCode !== 0) throw new KafkaError(decoded.errorCode, 'ApiVersions');
      const caps = this.options.maxVersions;
      this.versions = negotiateVersions(decoded.apiKeys as BrokerApiRange[], (key) => {
        const range = clientVersionRange(key);
        const cap = caps?.get(key);
        return range && cap !== undefined ? { min: range.min, max: Math.min(range.max, cap) } : range;
      });
      return;
    }
    throw new ClientError('UNSUPPORTED_API', 'no ApiVersions version in common with the broker');
  }

  /** Sends a typed request at the negotiated version; `body` may depend on that version. */
  async request<Req, Res>(
    api: ClientApi<Req, Res>,
    body: MessageInput<Req> | ((version: number) => MessageInput<Req>),
    options: RequestOptions = {},
  ): Promise<Res> {
    await this.connect(options.signal);
    const version = this.versions.get(api.apiKey);
    if (version === undefined) {
      throw new ClientError('UNSUPPORTED_API', `broker ${this.options.nodeId} does not support ${api.name}`);
    }
    await this.throttled(options.signal);
    const input = typeof body === 'function' ? (body as (v: number) => MessageInput<Req>)(version) : body;
    const fitted = fitToVersion(api.request.fields, version, input) as MessageInput<Req>;
    return (await this.send(api.apiKey, version, fitted, options)) as Res;
  }

  /**
   * Waits while the broker throttles this client (KIP-219): a response that carried
   * throttle_time_ms at a version where the client must honour it holds every later request to
   * this broker until that time has passed, as Java's NetworkClient does for a throttled node.
   */
  private async throttled(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const waitMs = this.throttledUntilMs - Date.now();
      if (waitMs <= 0) return;
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          clearTimeout(timer);
          reject(new ClientError('ABORTED', 'aborted', { cause: signal?.reason }));
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, waitMs);
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  private send(
    apiKey: number,
    version: number,
    body: MessageInput<unknown>,
    options: RequestOptions,
  ): Promise<unknown> {
    const socket = this.socket;
    if (this.closedError) return Promise.reject(this.closedError);
    if (socket === null) return Promise.reject(new ClientError('CONNECTION_CLOSED', 'not connected'));
    const signal = options.signal;
    if (signal?.aborted)
      return Promise.reject(new ClientError('ABORTED', 'aborted', { cause: signal.reason }));
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    const chunks = encodeRequest(apiKey, version, correlationId, this.options.clientId, body);
    if (chunks.length === 1) socket.write(chunks[0]!);
    else {
      socket.cork();
      for (const c of chunks) socket.write(c);
      socket.uncork();
    }
    if (options.noResponse) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const p = this.pending.get(correlationId);
        if (!p) return;
        this.pending.delete(correlationId);
        p.cleanup();
        reject(new ClientError('ABORTED', 'request aborted', { cause: signal?.reason }));
      };
      const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
      const timer = setTimeout(() => {
        // Java closes the connection on a request timeout: the pipeline is in an unknown state.
        this.close(new ClientError('REQUEST_TIMEOUT', `request timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const p: Pending = {
        apiKey,
        version,
        resolve,
        reject,
        timer,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(correlationId, p);
    });
  }

  private onFrame(frame: Buffer): void {
    let correlationId: number;
    try {
      correlationId = peekCorrelationId(frame);
    } catch (err) {
      this.close(new ClientError('CONNECTION_CLOSED', 'response frame too short', { cause: err }));
      return;
    }
    const p = this.pending.get(correlationId);
    if (!p) return; // answered after its caller aborted
    this.pending.delete(correlationId);
    p.cleanup();
    try {
      const body = decodeResponse(p.apiKey, p.version, frame).body;
      const throttleMs = clientThrottleMs(p.apiKey, p.version, body);
      if (throttleMs > 0) this.throttledUntilMs = Math.max(this.throttledUntilMs, Date.now() + throttleMs);
      p.resolve(body);
    } catch (err) {
      if (p.apiKey === ApiKey.ApiVersions && p.version > 0) {
        // KIP-511: a broker that does not know our ApiVersions version answers in v0.
        try {
          p.resolve(ApiVersionsResponse.decode(0, frame.subarray(4)));
          return;
        } catch {
          // fall through to the original error
        }
      }
      p.reject(
        new ClientError('CONNECTION_CLOSED', 'undecodable response', { cause: err, retriable: false }),
      );
    }
  }

  /** Fails every pending request and closes the socket; later calls fail with the same error. */
  close(reason?: ClientError): void {
    if (this.closedError) return;
    this.closedError = reason ?? new ClientError('CONNECTION_CLOSED', 'connection closed');
    this.socket?.destroy();
    this.socket = null;
    for (const p of this.pending.values()) {
      p.cleanup();
      p.reject(this.closedError);
    }
    this.pending.clear();
    if (reason) this.log.debug({ reason: reason.message }, 'connection closed');
  }
}
