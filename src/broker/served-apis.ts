import { brokerHandlers } from './broker-handlers.js';
import type { BrokerServices } from './broker-services.js';

export interface ServedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/**
 * The APIs and versions a broker serves, as its ApiVersions response lists them, without starting
 * one: the handlers declare their versions when made and touch their services only per request.
 */
export function servedApis(): ServedApi[] {
  const untouchable = new Proxy({} as BrokerServices, {
    get(_target, key) {
      throw new Error(`a handler read services.${String(key)} before any request`);
    },
  });
  return brokerHandlers(untouchable, () => [])
    .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
    .sort((a, b) => a.apiKey - b.apiKey);
}
