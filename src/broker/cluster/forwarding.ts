import { isIPv4, isIPv6 } from 'node:net';
import { ErrorCode } from '../../protocol/error-codes.js';
import { decodeResponse, encodeRequest, encodeResponse } from '../../protocol/frame.js';
import { ApiKey } from '../../protocol/generated/api-registry.js';
import { DefaultPrincipalData } from '../../protocol/generated/messages/default-principal-data.js';
import type { EnvelopeRequest } from '../../protocol/generated/messages/envelope-request.js';
import type { EnvelopeResponse } from '../../protocol/generated/messages/envelope-response.js';
import type { MessageInput } from '../../protocol/message-codec.js';
import { Reader } from '../../protocol/primitives/reader.js';
import { Writer } from '../../protocol/primitives/writer.js';
import { decodeRequestHeader, type RequestHeaderInfo } from '../../protocol/request-header.js';
import type { ApiHandler, HandlerResult, RequestContext } from '../api-handler.js';
import { ANONYMOUS_PRINCIPAL, ConnectionSession } from '../security/connection-session.js';
import { type ControllerChannel, ControllerUnavailableError, notController } from './controller-channel.js';
import { FORWARDED_APIS } from './forwarded-apis.js';

/** How long a forwarded request may wait for the controller (Kafka's request.timeout.ms default). */
const FORWARD_TIMEOUT_MS = 30_000;

/**
 * How long a broker waits, after the controller answered a forwarded request, for its own image
 * to apply the change before answering anyway (the change is committed either way).
 */
const CATCH_UP_TIMEOUT_MS = 5_000;

/** What forwarding needs from the broker. */
export interface ForwardingContext {
  /** True when this broker must forward: in a cluster, and not the active controller. */
  readonly mustForward: () => boolean;
  readonly channel: () => ControllerChannel | null;
  /**
   * Applies every metadata record committed so far to this broker's image (a read of the shared
   * log, not a wait for its watch); resolves once applied.
   */
  readonly catchUp: () => Promise<void>;
}

/**
 * Wraps the handler of a forwarded API: on the active controller (or a single node) it answers as
 * before; on any other broker of a cluster the request goes to the controller in an Envelope
 * (KIP-590) with the client's principal and address, and the controller's answer is the client's.
 * When no controller answers in time, every entry gets REQUEST_TIMED_OUT.
 *
 * The controller answers once its records are committed in etcd, and this broker's image learns
 * of them only when its watch fires. So that a client reading back what it just changed through
 * the same broker (CreateTopics then Metadata, as Kafka clients and scripts do) sees the change,
 * the broker reads the log up to its head before it answers, bounded by CATCH_UP_TIMEOUT_MS.
 */
export function forwardToController(handler: ApiHandler, f: ForwardingContext): ApiHandler {
  const errorResponse = FORWARDED_APIS.get(handler.apiKey);
  if (!errorResponse) return handler;
  return {
    ...handler,
    handle: async (body, ctx): Promise<HandlerResult<unknown>> => {
      const channel = f.channel();
      if (!channel || !f.mustForward()) return handler.handle(body, ctx);
      const header = ctx.header;
      const requestData = Buffer.concat(
        encodeRequest(
          header.apiKey,
          header.apiVersion,
          header.correlationId,
          header.clientId,
          body as MessageInput<unknown>,
        ),
      ).subarray(4);
      try {
        const res = await channel.send(
          ApiKey.Envelope,
          0,
          {
            requestData,
            requestPrincipal: encodePrincipal(ctx.connection.session?.principal ?? ANONYMOUS_PRINCIPAL),
            clientHostAddress: addressBytes(ctx.connection.clientAddress),
          },
          FORWARD_TIMEOUT_MS,
          notController,
        );
        if (res.errorCode !== ErrorCode.NONE || res.responseData === null) {
          return errorResponse(
            body,
            header.apiVersion,
            res.errorCode,
            `The controller refused the forwarded request (error ${res.errorCode}).`,
          ) as HandlerResult<unknown>;
        }
        const response = decodeResponse(header.apiKey, header.apiVersion, res.responseData).body;
        await caughtUp(f, ctx);
        return response as HandlerResult<unknown>;
      } catch (err) {
        if (!(err instanceof ControllerUnavailableError)) throw err;
        ctx.log.warn({ api: header.api.name, err: err.message }, 'forwarding to the controller timed out');
        return errorResponse(
          body,
          header.apiVersion,
          ErrorCode.REQUEST_TIMED_OUT,
          err.message,
        ) as HandlerResult<unknown>;
      }
    },
  };
}

/** Waits, bounded, for this broker's image to apply what the controller committed; never fails the answer. */
async function caughtUp(f: ForwardingContext, ctx: RequestContext): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), CATCH_UP_TIMEOUT_MS);
  });
  try {
    const outcome = await Promise.race([f.catchUp().then(() => 'applied' as const), timeout]);
    if (outcome === 'timeout')
      ctx.log.warn(
        { api: ctx.header.api.name, timeoutMs: CATCH_UP_TIMEOUT_MS },
        'the metadata image did not apply the forwarded change in time; answering anyway',
      );
  } catch (err) {
    ctx.log.warn(
      { api: ctx.header.api.name, err: (err as Error).message },
      'reading the metadata log after a forwarded change failed; answering anyway',
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The controller's side of an Envelope: decodes the forwarded request and runs it through its own
 * handler as if the client had sent it here, with the client's principal and address, and returns
 * the encoded response. Only forwarded APIs are accepted inside (Kafka: INVALID_REQUEST otherwise).
 */
export async function handleEnvelope(
  req: EnvelopeRequest,
  ctx: RequestContext,
  handlerOf: (apiKey: number) => ApiHandler | undefined,
): Promise<MessageInput<EnvelopeResponse>> {
  const r = new Reader(req.requestData);
  let header: RequestHeaderInfo;
  let body: unknown;
  try {
    header = decodeRequestHeader(r);
    body = header.api.request.read(r, header.apiVersion);
  } catch {
    return { responseData: null, errorCode: ErrorCode.INVALID_REQUEST };
  }
  const handler = handlerOf(header.apiKey);
  if (
    !FORWARDED_APIS.has(header.apiKey) ||
    !handler ||
    header.apiVersion < handler.minVersion ||
    header.apiVersion > handler.maxVersion
  )
    return { responseData: null, errorCode: ErrorCode.INVALID_REQUEST };
  const principal = decodePrincipal(req.requestPrincipal);
  const clientAddress = `${addressString(req.clientHostAddress)}:0`;
  const session = ctx.connection.session
    ? Object.assign(new ConnectionSession(ctx.connection.session.securityProtocol, principal), {
        authenticated: true,
      })
    : undefined;
  const inner: RequestContext = {
    header,
    apiVersion: header.apiVersion,
    log: ctx.log.child({ forwardedFor: clientAddress, principal }),
    connection: {
      connectionId: `${ctx.connection.connectionId}-envelope`,
      listenerName: ctx.connection.listenerName,
      clientAddress,
      log: ctx.log,
      ...(session ? { session } : {}),
    },
  };
  const response = await handler.handle(body, inner);
  const frames = encodeResponse(
    header.apiKey,
    header.apiVersion,
    header.correlationId,
    response as MessageInput<unknown>,
  );
  return { responseData: Buffer.concat(frames).subarray(4), errorCode: ErrorCode.NONE };
}

/** A principal as Kafka's DefaultKafkaPrincipalBuilder serializes it: a version, then DefaultPrincipalData. */
export function encodePrincipal(principal: string): Buffer {
  const colon = principal.indexOf(':');
  const w = new Writer();
  w.writeInt16(0);
  DefaultPrincipalData.write(w, 0, {
    type: colon > 0 ? principal.slice(0, colon) : 'User',
    name: colon > 0 ? principal.slice(colon + 1) : principal,
    tokenAuthenticated: false,
  });
  return w.toBuffer();
}

export function decodePrincipal(bytes: Buffer | null): string {
  if (bytes === null || bytes.length < 2) return ANONYMOUS_PRINCIPAL;
  const r = new Reader(bytes);
  const version = r.readInt16();
  const data = DefaultPrincipalData.read(r, version);
  return `${data.type}:${data.name}`;
}

/** The client's IP as Kafka's InetAddress.getAddress gives it: 4 or 16 bytes. */
export function addressBytes(clientAddress: string): Buffer {
  const host = clientAddress.slice(0, clientAddress.lastIndexOf(':')).replace(/^::ffff:/, '');
  if (isIPv4(host)) return Buffer.from(host.split('.').map(Number));
  if (isIPv6(host)) {
    const [head = '', tail = ''] = host.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
    const out = Buffer.alloc(16);
    for (const [i, g] of groups.entries()) out.writeUInt16BE(Number.parseInt(g, 16) || 0, i * 2);
    return out;
  }
  return Buffer.alloc(0);
}

export function addressString(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
    return groups.join(':');
  }
  return 'unknown';
}
