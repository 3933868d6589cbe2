import type { Logger } from '../common/logger.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { encodeResponse } from '../protocol/frame.js';
import { ApiKey } from '../protocol/generated/api-registry.js';
import { ProtocolError } from '../protocol/primitives/protocol-error.js';
import { Reader } from '../protocol/primitives/reader.js';
import { decodeRequestHeader, type RequestHeaderInfo } from '../protocol/request-header.js';
import { type ApiHandler, type HandlerResult, NO_RESPONSE, type RequestContext } from './api-handler.js';
import type { BrokerMetrics } from './broker-metrics.js';
import { CloseConnectionError, type ConnectionContext, type ResponseFrames } from './network/connection.js';
import type { ClientQuotaManager } from './quota/client-quota-manager.js';
import { type ClientQuotas, quotaClientId, quotaUser } from './quota/client-quotas.js';

/** APIs a connection on a SASL listener may use before it has authenticated. */
const SERVED_BEFORE_AUTHENTICATION: ReadonlySet<number> = new Set([
  ApiKey.ApiVersions,
  ApiKey.SaslHandshake,
  ApiKey.SaslAuthenticate,
]);

/**
 * APIs request_percentage does not count: the SASL exchange (Kafka's authenticator answers it
 * before any quota applies) and WriteTxnMarkers, a cluster action Kafka records as exempt.
 */
const REQUEST_QUOTA_EXEMPT: ReadonlySet<number> = new Set([
  ApiKey.SaslHandshake,
  ApiKey.SaslAuthenticate,
  ApiKey.WriteTxnMarkers,
]);

/** request_percentage is in percent of one thread's second (Kafka's NANOS_TO_PERCENTAGE_PER_SECOND): 1 ms is 0.1. */
const PERCENT_PER_MS = 0.1;

/** Evaluates a raw (unframed by any request header) SASL token; see SaslHandshake v0. */
export interface RawSaslTokens {
  rawToken(frame: Buffer, connection: ConnectionContext): Promise<ResponseFrames>;
}

const NO_RAW_SASL: RawSaslTokens = {
  rawToken: () => Promise.reject(new CloseConnectionError('raw SASL token on a connection without SASL')),
};

/**
 * Turns request frames into response frames: decodes the header and body with the generated
 * codecs, calls the API's handler, encodes its response in the request's version.
 *
 * Bad input never reaches a handler: a header or body that does not decode, an unknown API, or a
 * version outside what is advertised closes the connection with one log line, as Kafka does. The one
 * exception is ApiVersions, which answers an unsupported version with UNSUPPORTED_VERSION and the
 * versions it does support, in v0, so that any client can negotiate (KIP-511).
 */
export class RequestDispatcher {
  private readonly handlers = new Map<number, ApiHandler>();

  constructor(
    handlers: readonly ApiHandler[],
    private readonly log: Logger,
    /** Null when nothing listens: then no clock is read per request. */
    private readonly metrics: BrokerMetrics | null = null,
    /** Raw SASL tokens after SaslHandshake v0; a broker without SASL listeners never sees one. */
    private readonly sasl: RawSaslTokens = NO_RAW_SASL,
    private readonly saslMaxReceiveBytes = 524288,
    /** Client quotas; null in tests that build a dispatcher without a broker. */
    private readonly quotas: ClientQuotas | null = null,
  ) {
    for (const h of handlers) this.handlers.set(h.apiKey, h);
  }

  /** The APIs and versions this broker serves, as ApiVersions advertises them. */
  supportedApis(): { apiKey: number; minVersion: number; maxVersion: number }[] {
    return [...this.handlers.values()]
      .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }

  readonly handleFrame = async (
    frame: Buffer,
    connection: ConnectionContext,
    queueTimeMs = 0,
  ): Promise<ResponseFrames | null> => {
    const session = connection.session;
    if (session !== undefined && !session.authenticated) {
      // Before authentication a frame larger than sasl.server.max.receive.size closes the
      // connection (Kafka's saslAuthRequestMaxReceiveSize): nobody unauthenticated holds more.
      if (frame.length > this.saslMaxReceiveBytes) {
        throw new CloseConnectionError(
          `request of ${frame.length} bytes before authentication is larger than sasl.server.max.receive.size; closing connection`,
        );
      }
      // After SaslHandshake v0 the client sends raw SASL tokens, not requests (pre-KIP-152 clients).
      if (session.sasl?.rawTokens) return this.sasl.rawToken(frame, connection);
    }
    const r = new Reader(frame);
    let header: RequestHeaderInfo;
    try {
      header = decodeRequestHeader(r);
    } catch (err) {
      throw new CloseConnectionError('malformed request header; closing connection', { cause: err });
    }
    if (session !== undefined && !SERVED_BEFORE_AUTHENTICATION.has(header.apiKey)) {
      if (!session.authenticated) {
        // Kafka's SaslServerAuthenticator: "Unexpected Kafka request of type X during SASL handshake".
        throw new CloseConnectionError(
          `Unexpected Kafka request of type ${header.api.name} during SASL handshake; closing connection`,
        );
      }
      // KIP-368: a client that did not re-authenticate within its session lifetime is disconnected.
      if (session.sessionExpiresAtMs !== null && Date.now() > session.sessionExpiresAtMs) {
        throw new CloseConnectionError(
          `${header.api.name} request after the SASL session expired (connections.max.reauth.ms); closing connection`,
        );
      }
    }
    const handler = this.handlers.get(header.apiKey);
    const supported =
      handler !== undefined &&
      header.apiVersion >= handler.minVersion &&
      header.apiVersion <= handler.maxVersion;
    if (!supported) {
      if (header.apiKey === ApiKey.ApiVersions) return this.unsupportedApiVersions(header);
      throw new CloseConnectionError(
        `unsupported request ${header.api.name} v${header.apiVersion} from client ${header.clientId ?? ''}; closing connection`,
      );
    }
    let body: unknown;
    try {
      body = header.api.request.read(r, header.apiVersion);
      if (r.remaining() !== 0) {
        throw new ProtocolError('TRAILING_BYTES', `${r.remaining()} bytes after the request body`, r.pos);
      }
    } catch (err) {
      throw new CloseConnectionError(
        `malformed ${header.api.name} v${header.apiVersion} request; closing connection`,
        {
          cause: err,
        },
      );
    }
    const log = connection.log;
    const releases: (() => void)[] = [];
    let closeAfter = false;
    // A byte-rate quota's throttle, reported by the Produce and Fetch handlers.
    let throttleMs = 0;
    let throttledBy: ClientQuotaManager | null = null;
    const ctx: RequestContext = {
      header,
      apiVersion: header.apiVersion,
      connection,
      log,
      afterResponse: (release) => {
        releases.push(release);
      },
      closeAfterResponse: () => {
        closeAfter = true;
      },
      requestBytes: frame.length,
      throttle: (ms, quota) => {
        if (ms > throttleMs) {
          throttleMs = ms;
          throttledBy = quota;
        }
      },
    };
    // One check when no request_percentage quota exists: then no clock is read for it.
    const requestQuota =
      this.quotas?.request.enabled === true &&
      !REQUEST_QUOTA_EXEMPT.has(header.apiKey) &&
      (session === undefined || session.authenticated)
        ? this.quotas.request
        : null;
    // The client id makes the negotiated versions of each client visible in a debug log.
    log.debug(
      {
        api: header.api.name,
        version: header.apiVersion,
        correlationId: header.correlationId,
        clientId: header.clientId,
      },
      'request',
    );
    let frames: ResponseFrames | null = null;
    const startMs = this.metrics === null && requestQuota === null ? 0 : performance.now();
    try {
      const pending = handler.handle(body, ctx);
      // request_percentage counts the handler's time on the event loop until it first waits
      // (Kafka counts its request handler thread's time).
      const handlerMs = requestQuota === null ? 0 : performance.now() - startMs;
      let response = await pending;
      if (requestQuota !== null && response !== NO_RESPONSE) {
        // Kafka records no request time for acks=0 produce (NO_RESPONSE).
        const ms = requestQuota.recordAndGetThrottleTimeMs(
          quotaUser(ctx),
          quotaClientId(ctx),
          handlerMs * PERCENT_PER_MS,
          Date.now(),
        );
        if (ms > throttleMs) {
          throttleMs = ms;
          throttledBy = requestQuota;
        }
      }
      if (throttledBy !== null) response = this.throttle(ctx, response, throttleMs, throttledBy);
      if (response !== NO_RESPONSE)
        frames = encodeResponse(header.apiKey, header.apiVersion, header.correlationId, response);
      if (closeAfter && frames !== null) frames.closeAfter = true;
    } finally {
      this.metrics?.requestCompleted(
        header.apiKey,
        header.apiVersion,
        queueTimeMs + performance.now() - startMs,
        queueTimeMs,
      );
      if (releases.length > 0) {
        // Released when the connection has written the frames; at once when there are none.
        const release = (): void => {
          for (const r of releases.splice(0)) r();
        };
        if (frames !== null) frames.onSent = release;
        else release();
      }
    }
    return frames;
  };

  /**
   * KIP-219: the response goes out at once carrying the throttle time, and the connection reads
   * nothing more until the time has passed, for every version (a client of a version before the
   * KIP does not wait by itself; its next request waits in the socket). Kafka records the
   * throttle time of the quota that throttled for its throttle-time metric.
   */
  private throttle(
    ctx: RequestContext,
    response: HandlerResult<unknown>,
    throttleMs: number,
    quota: ClientQuotaManager,
  ): HandlerResult<unknown> {
    quota.recordThrottle(quotaUser(ctx), quotaClientId(ctx), throttleMs, Date.now());
    ctx.connection.throttle?.(throttleMs);
    if (response === NO_RESPONSE || typeof response !== 'object' || response === null) return response;
    const current = (response as { throttleTimeMs?: unknown }).throttleTimeMs;
    if (typeof current !== 'number' || current >= throttleMs) return response;
    return { ...response, throttleTimeMs: throttleMs };
  }

  private unsupportedApiVersions(header: RequestHeaderInfo): Buffer[] {
    this.log.info(
      { clientId: header.clientId, version: header.apiVersion },
      'ApiVersions request of an unsupported version; answering with UNSUPPORTED_VERSION',
    );
    return encodeResponse(ApiKey.ApiVersions, 0, header.correlationId, {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: this.supportedApis(),
    });
  }
}
