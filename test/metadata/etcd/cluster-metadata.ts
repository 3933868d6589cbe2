import { noopLogger } from '../../../src/common/logger.js';
import { SeededRandom } from '../../../src/common/random.js';
import { createTopics } from '../../../src/metadata/controller/create-topics.js';
import type { MetadataRecord } from '../../../src/metadata/controller/metadata-record.js';
import type { Compare, EtcdKv } from '../../../src/metadata/etcd/etcd-kv.js';
import { EtcdMetadataLog } from '../../../src/metadata/etcd/etcd-metadata-log.js';
import { imageToRecords } from '../../../src/metadata/image-to-records.js';
import { MetadataManager } from '../../../src/metadata/metadata-manager.js';

/** A metadata manager on an etcd log, as each broker of a cluster has one; a fixed clock. */
export async function etcdManager(
  kv: EtcdKv,
  options: { snapshotAfterBytes?: number; guard?: () => Compare[] } = {},
): Promise<MetadataManager> {
  const log = new EtcdMetadataLog({
    kv,
    prefix: '/test',
    logger: noopLogger,
    now: () => 1_700_000_000_000,
    ...(options.guard ? { guard: options.guard } : {}),
  });
  const m = new MetadataManager(log, noopLogger, options.snapshotAfterBytes);
  await m.load();
  return m;
}

export function registerBroker(brokerId: number): { records: MetadataRecord[]; response: undefined } {
  return {
    records: [
      {
        type: 'RegisterBrokerRecord',
        data: {
          brokerId,
          incarnationId: 'AAAAAAAAAAAAAAAAAAAAAQ',
          brokerEpoch: BigInt(brokerId),
          endPoints: [{ name: 'PLAINTEXT', host: 'localhost', port: 9090 + brokerId, securityProtocol: 0 }],
          features: [],
          rack: null,
          fenced: false,
          inControlledShutdown: false,
        },
      },
    ],
    response: undefined,
  };
}

export function createTopic(m: MetadataManager, name: string, partitions = 3, seed = 1): Promise<number> {
  return m
    .submit((image) =>
      createTopics(
        image,
        [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
        { numPartitions: 1, replicationFactor: 1 },
        false,
        new SeededRandom(seed),
      ),
    )
    .then((r) => r[0]!.errorCode);
}

/** The image as the records that rebuild it: equal images give equal lists. */
export const imageOf = (m: MetadataManager): MetadataRecord[] => imageToRecords(m.image);
