import type { Logger } from '../common/logger.js';
import type { MessageCodec, MessageInput } from '../protocol/message-codec.js';
import type { RequestHeaderInfo } from '../protocol/request-header.js';
import type { ConnectionContext } from './network/connection.js';

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

/**
 * Declares a handler with the request and response types of its codecs. By default every version
 * the spec defines is served; narrow with `versions` while a feature of newer versions is missing.
 */
export function defineHandler<Req, Res>(
  request: MessageCodec<Req>,
  _response: MessageCodec<Res>,
  handle: (request: Req, ctx: RequestContext) => Promise<HandlerResult<Res>> | HandlerResult<Res>,
  versions: { min?: number; max?: number } = {},
): ApiHandler {
  return {
    apiKey: request.apiKey,
    minVersion: versions.min ?? request.minVersion,
    maxVersion: versions.max ?? request.maxVersion,
    handle: handle as ApiHandler['handle'],
  };
}
