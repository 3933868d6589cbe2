import { API_REGISTRY, ApiKey } from '../../protocol/generated/api-registry.js';
import type { VersionRange } from '../../protocol/message-codec.js';

/** One API as a broker advertises it in ApiVersionsResponse. */
export interface BrokerApiRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/**
 * The versions this client speaks, per API: everything the generated codecs cover, except where
 * the client code only handles part of the range. Fetch stops at 12 because 13+ names topics by id
 * only (KIP-516); Produce and Fetch below v3/v4 work through message-set conversion.
 * AddPartitionsToTxn v4+ is the brokers' batched form (KIP-890): clients use v3 and below.
 */
const CLIENT_LIMITS: ReadonlyMap<number, VersionRange> = new Map([
  [ApiKey.Fetch, { min: 0, max: 12 }],
  [ApiKey.Produce, { min: 0, max: 11 }],
  [ApiKey.AddPartitionsToTxn, { min: 0, max: 3 }],
]);

export function clientVersionRange(apiKey: number): VersionRange | undefined {
  const api = API_REGISTRY.get(apiKey);
  if (api === undefined) return undefined;
  const limit = CLIENT_LIMITS.get(apiKey);
  if (limit === undefined) return { min: api.minVersion, max: api.maxVersion };
  return { min: Math.max(limit.min, api.minVersion), max: Math.min(limit.max, api.maxVersion) };
}

/**
 * For each API both sides know, the highest version both support; APIs with no common version
 * are left out, and calling them fails with UNSUPPORTED_API.
 */
export function negotiateVersions(
  broker: readonly BrokerApiRange[],
  clientRange: (apiKey: number) => VersionRange | undefined = clientVersionRange,
): Map<number, number> {
  const out = new Map<number, number>();
  for (const b of broker) {
    const c = clientRange(b.apiKey);
    if (c === undefined) continue;
    const max = Math.min(c.max, b.maxVersion);
    if (max >= Math.max(c.min, b.minVersion)) out.set(b.apiKey, max);
  }
  return out;
}
