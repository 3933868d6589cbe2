import { API_REGISTRY, type ApiRequestTypes, type ApiResponseTypes } from './generated/api-registry.js';
import { RequestHeader } from './generated/messages/request-header.js';
import { ResponseHeader } from './generated/messages/response-header.js';
import type { ApiDescriptor, MessageInput, TaggedField } from './message-codec.js';
import { ProtocolError } from './primitives/protocol-error.js';
import { Reader } from './primitives/reader.js';
import { Writer } from './primitives/writer.js';
import { decodeRequestHeader, type RequestHeaderInfo } from './request-header.js';

/**
 * Whole frames as they travel on a connection: a 4-byte size, a header, a body. Encoders return
 * chunks for a vectored write (record data is referenced, not copied); decoders take one frame
 * without its size prefix, as the connection's framing hands it over.
 */

/** The request body type for an API key known at compile time (`ApiKey.Metadata`), else unknown. */
export type RequestBody<K extends number> = K extends keyof ApiRequestTypes ? ApiRequestTypes[K] : unknown;
/** The response body type for an API key known at compile time, else unknown. */
export type ResponseBody<K extends number> = K extends keyof ApiResponseTypes ? ApiResponseTypes[K] : unknown;

function apiFor(apiKey: number): ApiDescriptor {
  const api = API_REGISTRY.get(apiKey);
  if (api === undefined) throw new ProtocolError('UNKNOWN_API_KEY', `unknown API key ${apiKey}`);
  return api;
}

function checkVersion(api: ApiDescriptor, version: number, position: number): void {
  if (version < api.minVersion || version > api.maxVersion) {
    throw new ProtocolError(
      'UNSUPPORTED_VERSION',
      `${api.name} version ${version} is outside ${api.minVersion}-${api.maxVersion}`,
      position,
    );
  }
}

/** A request frame, size prefix included. */
export function encodeRequest<K extends number>(
  apiKey: K,
  version: number,
  correlationId: number,
  clientId: string | null,
  body: MessageInput<RequestBody<K>>,
): Buffer[] {
  const api = apiFor(apiKey);
  checkVersion(api, version, -1);
  const w = new Writer();
  const size = w.reserveInt32();
  RequestHeader.write(w, api.requestHeaderVersion(version), {
    requestApiKey: apiKey,
    requestApiVersion: version,
    correlationId,
    clientId,
  });
  api.request.write(w, version, body);
  w.patchInt32(size, w.length - 4);
  return w.toBuffers();
}

/** A response frame, size prefix included. */
export function encodeResponse<K extends number>(
  apiKey: K,
  version: number,
  correlationId: number,
  body: MessageInput<ResponseBody<K>>,
): Buffer[] {
  const api = apiFor(apiKey);
  checkVersion(api, version, -1);
  const w = new Writer();
  const size = w.reserveInt32();
  ResponseHeader.write(w, api.responseHeaderVersion(version), { correlationId });
  api.response.write(w, version, body);
  w.patchInt32(size, w.length - 4);
  return w.toBuffers();
}

export interface DecodedRequest {
  readonly header: RequestHeaderInfo;
  readonly body: unknown;
}

/** A request frame (without size prefix): header, then the body, which must end the frame. */
export function decodeRequest(frame: Buffer): DecodedRequest {
  const r = new Reader(frame);
  const header = decodeRequestHeader(r);
  checkVersion(header.api, header.apiVersion, 0);
  const body = header.api.request.read(r, header.apiVersion);
  if (r.remaining() !== 0) {
    throw new ProtocolError(
      'TRAILING_BYTES',
      `${r.remaining()} bytes after ${header.api.name} request`,
      r.pos,
    );
  }
  return { header, body };
}

export interface DecodedResponse<T = unknown> {
  readonly correlationId: number;
  readonly body: T;
  readonly unknownTaggedFields?: TaggedField[];
}

/**
 * A response frame (without size prefix). Responses do not say what they answer, so the caller
 * passes the API key and version of the request it matched by correlation id.
 */
export function decodeResponse<K extends number>(
  apiKey: K,
  version: number,
  frame: Buffer,
): DecodedResponse<ResponseBody<K>> {
  const api = apiFor(apiKey);
  checkVersion(api, version, -1);
  const r = new Reader(frame);
  const h = ResponseHeader.read(r, api.responseHeaderVersion(version));
  const body = api.response.read(r, version) as ResponseBody<K>;
  if (r.remaining() !== 0) {
    throw new ProtocolError('TRAILING_BYTES', `${r.remaining()} bytes after ${api.name} response`, r.pos);
  }
  const out: DecodedResponse<ResponseBody<K>> = { correlationId: h.correlationId, body };
  return h.unknownTaggedFields === undefined ? out : { ...out, unknownTaggedFields: h.unknownTaggedFields };
}

/** The correlation id of a response frame, read before knowing which request it answers. */
export function peekCorrelationId(frame: Buffer): number {
  return new Reader(frame).readInt32();
}
