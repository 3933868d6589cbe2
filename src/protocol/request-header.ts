import { API_REGISTRY } from './generated/api-registry.js';
import { RequestHeader } from './generated/messages/request-header.js';
import type { ApiDescriptor, TaggedField } from './message-codec.js';
import { ProtocolError } from './primitives/protocol-error.js';
import type { Reader } from './primitives/reader.js';

/** A decoded request header plus what the network layer needs to dispatch and answer the request. */
export interface RequestHeaderInfo {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  /** Null when the client sent none, and always null in header v0. */
  readonly clientId: string | null;
  /** 0, 1 or 2: which RequestHeader version the frame used. */
  readonly headerVersion: number;
  /**
   * False when the version is outside what this build supports. The header is still decoded (its
   * layout is known) so the broker can answer: ApiVersions with UNSUPPORTED_VERSION (KIP-511),
   * other APIs by closing the connection.
   */
  readonly versionSupported: boolean;
  readonly api: ApiDescriptor;
  readonly unknownTaggedFields?: TaggedField[];
}

/**
 * The header version for a request, also for versions we do not support: an unknown newer version
 * is laid out like our newest, an older one like our oldest. ApiVersions requests newer than we know
 * are flexible, as KIP-511 relies on.
 */
export function requestHeaderVersionFor(api: ApiDescriptor, apiVersion: number): number {
  const v = Math.min(Math.max(apiVersion, api.minVersion), api.maxVersion);
  return api.requestHeaderVersion(v);
}

/**
 * Reads a request header from the start of a request frame (after the size prefix): the API key
 * and version first, then the header version they call for. ClientId is a non-compact nullable
 * string even in header v2, so old brokers can read any ApiVersions request header.
 */
export function decodeRequestHeader(r: Reader): RequestHeaderInfo {
  const start = r.pos;
  r.need(4);
  const apiKey = r.buf.readInt16BE(start);
  const apiVersion = r.buf.readInt16BE(start + 2);
  const api = API_REGISTRY.get(apiKey);
  if (api === undefined) throw new ProtocolError('UNKNOWN_API_KEY', `unknown API key ${apiKey}`, start);
  const headerVersion = requestHeaderVersionFor(api, apiVersion);
  const h = RequestHeader.read(r, headerVersion);
  const info: RequestHeaderInfo = {
    apiKey,
    apiVersion,
    correlationId: h.correlationId,
    clientId: h.clientId,
    headerVersion,
    versionSupported: apiVersion >= api.minVersion && apiVersion <= api.maxVersion,
    api,
  };
  return h.unknownTaggedFields === undefined ? info : { ...info, unknownTaggedFields: h.unknownTaggedFields };
}
