import type { Logger } from '../../../common/logger.js';
import type { Random } from '../../../common/random.js';
import { createTopics, usableBrokers } from '../../../metadata/controller/create-topics.js';
import type { MetadataImage } from '../../../metadata/metadata-image.js';
import type { MetadataManager } from '../../../metadata/metadata-manager.js';
import { ErrorCode } from '../../../protocol/error-codes.js';
import { createTopicsOnController } from '../../cluster/create-topics-on-controller.js';
import type { ForwardingContext } from '../../cluster/forwarding.js';
import type { BrokerConfig } from '../../config/broker-config.js';
import { submitOrFail } from '../../metadata-write.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

/**
 * What creating the topic needs: a part of `BrokerServices`, named here so that this file does not
 * import `broker-services.ts` (which imports the shell, which imports this file).
 */
export interface OffsetsTopicServices {
  readonly config: BrokerConfig;
  readonly metadata: MetadataManager;
  readonly random: Random;
  readonly logger: Logger;
  /** In a cluster, a broker that is not the controller asks the controller to create the topic. */
  readonly forwarding?: ForwardingContext;
}

/** What an internal topic is created with. */
export interface InternalTopicSpec {
  readonly name: string;
  readonly numPartitions: number;
  /** Capped at the brokers alive. */
  readonly replicationFactor: number;
  readonly configs: readonly { name: string; value: string }[];
}

/**
 * Creates `__consumer_offsets` on first use, as Kafka does when the first FindCoordinator for a
 * group arrives: compacted, `offsets.topic.num.partitions` partitions. The replication factor is
 * `offsets.topic.replication.factor` capped at the brokers alive, so that a single node works
 * without the setting Kafka's development config needs (Kafka would refuse until enough brokers join).
 * Returns false when the topic cannot be created yet.
 */
export function ensureOffsetsTopic(s: OffsetsTopicServices): Promise<boolean> {
  return ensureInternalTopic(s, {
    name: OFFSETS_TOPIC,
    numPartitions: s.config.get('offsets.topic.num.partitions'),
    replicationFactor: s.config.get('offsets.topic.replication.factor'),
    configs: [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'compression.type', value: 'producer' },
      { name: 'segment.bytes', value: String(s.config.get('offsets.topic.segment.bytes')) },
    ],
  });
}

/** Creates an internal topic unless it exists; false when it cannot be created yet. */
export async function ensureInternalTopic(
  s: OffsetsTopicServices,
  spec: InternalTopicSpec,
): Promise<boolean> {
  if (s.metadata.image.topic(spec.name)) return true;
  const cappedRf = (image: MetadataImage) =>
    Math.min(spec.replicationFactor, Math.max(usableBrokers(image).length, 1));
  const channel = s.forwarding?.channel();
  const results =
    channel && s.forwarding?.mustForward()
      ? await createTopicsOnController(channel, s.metadata, [
          {
            name: spec.name,
            numPartitions: spec.numPartitions,
            replicationFactor: cappedRf(s.metadata.image),
            assignments: [],
            configs: spec.configs.map((c) => ({ ...c })),
          },
        ])
      : await createLocally(s, spec, cappedRf);
  const r = results[0]!;
  if (r.errorCode === ErrorCode.NONE) s.logger.info({ topic: spec.name }, 'internal topic created');
  else if (r.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) {
    s.logger.warn(
      { topic: spec.name, errorCode: r.errorCode, error: r.errorMessage },
      'internal topic not created',
    );
  }
  return s.metadata.image.topic(spec.name) !== undefined;
}

function createLocally(
  s: OffsetsTopicServices,
  spec: InternalTopicSpec,
  cappedRf: (image: MetadataImage) => number,
): Promise<{ errorCode: number; errorMessage: string | null }[]> {
  return submitOrFail<{ errorCode: number; errorMessage: string | null }[]>(
    s,
    (image) => {
      const rf = cappedRf(image);
      return createTopics(
        image,
        [
          {
            name: spec.name,
            numPartitions: spec.numPartitions,
            replicationFactor: rf,
            assignments: [],
            configs: spec.configs.map((c) => ({ ...c })),
          },
        ],
        { numPartitions: 1, replicationFactor: 1 },
        false,
        s.random,
      );
    },
    (errorCode, errorMessage) => [{ errorCode, errorMessage }],
  );
}
