import { hostname } from 'node:os';
import type { BrokerEndpoint } from '../metadata/metadata-image.js';
import type { BrokerConfig } from './config/broker-config.js';
import { SECURITY_PROTOCOL_IDS } from './config/listener-config.js';
import type { BoundListener } from './network/socket-server.js';

/** metadata.version 3.9-IV0: the feature level of the record formats this broker writes. */
export const METADATA_VERSION_LEVEL = 21;

/**
 * This broker's endpoint on every advertised listener, as clients and other brokers reach it:
 * the advertised host (the machine's name for a wildcard) and the port actually bound when 0 was
 * asked for.
 */
export function advertisedEndpoints(config: BrokerConfig, bound: readonly BoundListener[]): BrokerEndpoint[] {
  return config.advertisedListeners.map((a) => {
    const b = bound.find((l) => l.name === a.name);
    const port = a.port === 0 && b ? b.boundPort : a.port;
    const host = a.host === '' || a.host === '0.0.0.0' || a.host === '::' ? hostname() : a.host;
    return { name: a.name, host, port, securityProtocol: SECURITY_PROTOCOL_IDS[a.securityProtocol] };
  });
}
