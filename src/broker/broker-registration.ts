import { type Random, randomUuid } from '../common/random.js';
import type { MetadataRecord } from '../metadata/controller/metadata-record.js';
import { advertisedEndpoints, METADATA_VERSION_LEVEL } from './advertised-endpoints.js';
import type { BrokerServices } from './broker-services.js';
import type { BoundListener } from './network/socket-server.js';

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
  const endPoints = advertisedEndpoints(s.config, bound);
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
