import { hostname } from 'node:os';
import { type Random, randomUuid } from '../common/random.js';
import type { MetadataRecord } from '../metadata/controller/metadata-record.js';
import type { BrokerServices } from './broker-services.js';
import { SECURITY_PROTOCOL_IDS } from './config/listener-config.js';
import type { BoundListener } from './network/socket-server.js';

/** metadata.version 3.9-IV0: the feature level of the record formats this broker writes. */
const METADATA_VERSION_LEVEL = 21;

/**
 * Registers this broker in the metadata log on every start, as a KRaft broker does: a new
 * incarnation and epoch, the advertised endpoints (with the ports actually bound), unfenced.
 * The first start of a cluster also records its metadata.version.
 */
export async function registerBroker(
  s: BrokerServices,
  bound: readonly BoundListener[],
  random: Random,
): Promise<void> {
  const advertised = s.config.advertisedListeners;
  const endPoints = advertised.map((a) => {
    const b = bound.find((l) => l.name === a.name);
    const port = a.port === 0 && b ? b.boundPort : a.port;
    const host = a.host === '' || a.host === '0.0.0.0' || a.host === '::' ? hostname() : a.host;
    return { name: a.name, host, port, securityProtocol: SECURITY_PROTOCOL_IDS[a.securityProtocol] };
  });
  await s.metadata.submit((image) => {
    const records: MetadataRecord[] = [];
    if (!image.features.has('metadata.version')) {
      records.push({
        type: 'FeatureLevelRecord',
        data: { name: 'metadata.version', featureLevel: METADATA_VERSION_LEVEL },
      });
    }
    records.push({
      type: 'RegisterBrokerRecord',
      data: {
        brokerId: s.nodeId,
        incarnationId: randomUuid(random),
        brokerEpoch: image.offset + 1n,
        endPoints,
        features: [
          { name: 'metadata.version', minSupportedVersion: 1, maxSupportedVersion: METADATA_VERSION_LEVEL },
        ],
        rack: s.config.get('broker.rack'),
        fenced: false,
        inControlledShutdown: false,
      },
    });
    return { records, response: undefined };
  });
}
