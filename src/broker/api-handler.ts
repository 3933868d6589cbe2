import type { Logger } from '../common/logger.js';
import { StromError } from '../common/strom-error.js';
import type { MessageCodec, MessageInput, VersionRange } from '../protocol/message-codec.js';
import type { RequestHeaderInfo } from '../protocol/request-header.js';
import type { ConnectionContext } from './network/connection.js';
import type { ClientQuotaManager } from './quota/client-quota-manager.js';

/** What a handler knows about the request beyond its body. */
export interface RequestContext {
  readonly header: RequestHeaderInfo;
  readonly apiVersion: number;
  readonly connection: ConnectionContext;
  readonly log: Logger;
  /**
   * Registers `release` to run once the response has been handed to the socket (or dropped):
   * for buffers the response refers to without copying, such as pooled fetch reads. Absent
   * where nothing writes the response (handlers called directly), so callers must allocate.
   */
  readonly afterResponse?: (release: () => void) => void;
  /**
   * Closes the connection once this request's response is written: a failed authentication
   * (SASL_AUTHENTICATION_FAILED) is answered, then the connection closes, as Kafka does. Absent
   * where no connection serves the request.
   */
  readonly closeAfterResponse?: () => void;
  /** The request's size (header and body, as Kafka's request.sizeInBytes): what producer_byte_rate counts. */
  readonly requestBytes?: number;
  /**
   * Reports that a byte-rate quota (producer_byte_rate, consumer_byte_rate) throttles this client
   * for `throttleMs`; the handler puts it in its response's throttle_time_ms. The dispatcher mutes
   * the connection for the longer of it and the request quota's throttle (KIP-219).
   */
  readonly throttle?: (throttleMs: number, quota: ClientQuotaManager) => void;
}

/** Returned by a handler when the request takes no response (Produce with acks=0). */
export const NO_RESPONSE = Symbol('no response');

export type HandlerResult<Res> = MessageInput<Res> | typeof NO_RESPONSE;

/** One API served by the broker: the versions it advertises and the function that answers. */
export interface ApiHandler {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(body: unknown, ctx: RequestContext): Promise<HandlerResult<unknown>> | HandlerResult<unknown>;
}

/** A handler pinned a version its request or response codec cannot encode: a programming error, thrown when the handler is made. */
export class HandlerVersionsError extends StromError {
  constructor(message: string) {
    super('HANDLER_VERSIONS_OUTSIDE_SPEC', message);
  }
}

/**
 * Declares a handler with the request and response types of its codecs and the versions it
 * serves, which ApiVersions advertises. The range is pinned here, not taken from the spec, so that
 * regenerating the codecs from newer specs never advertises a version nobody has served and
 * tested: raise `max` together with the code and tests of the new version.
 */
export function defineHandler<Req, Res>(
  request: MessageCodec<Req>,
  response: MessageCodec<Res>,
  versions: VersionRange,
  handle: (request: Req, ctx: RequestContext) => Promise<HandlerResult<Res>> | HandlerResult<Res>,
): ApiHandler {
  const lowest = Math.max(request.minVersion, response.minVersion);
  const highest = Math.min(request.maxVersion, response.maxVersion);
  if (versions.min > versions.max || versions.min < lowest || versions.max > highest) {
    throw new HandlerVersionsError(
      `${request.name} v${versions.min}-${versions.max} is not within the spec's v${lowest}-${highest}`,
    );
  }
  return {
    apiKey: request.apiKey,
    minVersion: versions.min,
    maxVersion: versions.max,
    handle: handle as ApiHandler['handle'],
  };
}
