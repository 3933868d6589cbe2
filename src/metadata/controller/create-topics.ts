import { InvalidConfigError } from '../../common/config-def.js';
import { type Random, randomUuid } from '../../common/random.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import { ConfigResourceType, type MetadataImage } from '../metadata-image.js';
import { TOPIC_CONFIG_DEF } from '../topic-config-def.js';
import { CLUSTER_METADATA_TOPIC, topicNameProblem, unifyCollisionChars } from '../topic-name.js';
import type { ControllerResult, MetadataRecord } from './metadata-record.js';
import { placeReplicas } from './replica-placement.js';

/** Kafka's QuorumController refuses one user operation that would write more records than this. */
export const MAX_RECORDS_PER_USER_OP = 10_000;

export interface CreatableTopic {
  readonly name: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly assignments: readonly { readonly partitionIndex: number; readonly brokerIds: readonly number[] }[];
  readonly configs: readonly { readonly name: string; readonly value: string | null }[];
}

export interface CreateTopicOutcome {
  readonly name: string;
  readonly topicId: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly numPartitions: number;
  readonly replicationFactor: number;
}

export interface TopicDefaults {
  readonly numPartitions: number;
  readonly replicationFactor: number;
}

class TopicError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Brokers that can host new replicas: registered and not fenced. */
export function usableBrokers(image: MetadataImage): number[] {
  return [...image.brokers.values()].filter((b) => !b.fenced).map((b) => b.brokerId);
}

/** Each broker's `broker.rack` as registered, for rack-aware placement. */
export function rackOf(image: MetadataImage): (brokerId: number) => string | null {
  return (id) => image.brokers.get(id)?.rack ?? null;
}

/**
 * CreateTopics, as Kafka's ReplicationControlManager validates it: duplicates, names, existence and
 * '.'/'_' collisions, partition counts, replication factors, explicit assignments, configs.
 * With `validateOnly` the outcome is computed and no record is returned.
 */
export function createTopics(
  image: MetadataImage,
  topics: readonly CreatableTopic[],
  defaults: TopicDefaults,
  validateOnly: boolean,
  random: Random,
): ControllerResult<CreateTopicOutcome[]> {
  const records: MetadataRecord[] = [];
  const response: CreateTopicOutcome[] = [];
  const counts = new Map<string, number>();
  for (const t of topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  const brokers = usableBrokers(image);
  const collisionKeys = new Set([...image.topicsByName.keys()].map(unifyCollisionChars));
  for (const t of topics) {
    const fail = (code: number, message: string): void => {
      response.push({
        name: t.name,
        topicId: ZERO_UUID,
        errorCode: code,
        errorMessage: message,
        numPartitions: -1,
        replicationFactor: -1,
      });
    };
    if (counts.get(t.name)! > 1) {
      fail(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.');
      continue;
    }
    // The metadata log lives in the partition directory this topic's partition 0 would use: a
    // topic of that name would serve, and on deletion remove, the broker's own metadata.
    if (t.name === CLUSTER_METADATA_TOPIC) {
      fail(ErrorCode.INVALID_REQUEST, `Creation of internal topic ${CLUSTER_METADATA_TOPIC} is prohibited.`);
      continue;
    }
    try {
      const topicRecords = planTopic(image, t, defaults, brokers, collisionKeys, random);
      const partitions = topicRecords.filter((r) => r.type === 'PartitionRecord');
      if (records.length + topicRecords.length > MAX_RECORDS_PER_USER_OP) {
        throw new TopicError(
          ErrorCode.POLICY_VIOLATION,
          'Unable to perform excessively large batch operation.',
        );
      }
      const first = topicRecords[0]!;
      const topicId = first.type === 'TopicRecord' ? first.data.topicId : '';
      const rf = partitions[0]?.type === 'PartitionRecord' ? partitions[0].data.replicas.length : 0;
      response.push({
        name: t.name,
        topicId,
        errorCode: 0,
        errorMessage: null,
        numPartitions: partitions.length,
        replicationFactor: rf,
      });
      collisionKeys.add(unifyCollisionChars(t.name));
      if (!validateOnly) records.push(...topicRecords);
    } catch (err) {
      if (err instanceof TopicError) fail(err.errorCode, err.message);
      else if (err instanceof InvalidConfigError) fail(ErrorCode.INVALID_CONFIG, err.message);
      else throw err;
    }
  }
  return { records, response };
}

function planTopic(
  image: MetadataImage,
  t: CreatableTopic,
  defaults: TopicDefaults,
  brokers: readonly number[],
  collisionKeys: ReadonlySet<string>,
  random: Random,
): MetadataRecord[] {
  const problem = topicNameProblem(t.name);
  if (problem) throw new TopicError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
  if (image.topicsByName.has(t.name))
    throw new TopicError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
  if (collisionKeys.has(unifyCollisionChars(t.name))) {
    throw new TopicError(
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      `Topic '${t.name}' collides with an existing topic.`,
    );
  }
  let assignment: number[][];
  if (t.assignments.length > 0) {
    if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
      throw new TopicError(
        ErrorCode.INVALID_REQUEST,
        'A manual partition assignment was specified, but numPartitions or replicationFactor was not set to -1.',
      );
    }
    assignment = explicitAssignment(t, brokers);
  } else {
    const numPartitions = t.numPartitions === -1 ? defaults.numPartitions : t.numPartitions;
    const rf = t.replicationFactor === -1 ? defaults.replicationFactor : t.replicationFactor;
    if (numPartitions <= 0) {
      throw new TopicError(
        ErrorCode.INVALID_PARTITIONS,
        'Number of partitions was set to an invalid non-positive value.',
      );
    }
    if (rf <= 0) {
      throw new TopicError(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        'Replication factor must be larger than 0, or -1 to use the default value.',
      );
    }
    if (numPartitions > MAX_RECORDS_PER_USER_OP) {
      throw new TopicError(
        ErrorCode.POLICY_VIOLATION,
        'Unable to perform excessively large batch operation.',
      );
    }
    const placed = placeReplicas(brokers, 0, numPartitions, rf, random, rackOf(image));
    if (!placed) {
      throw new TopicError(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only ${brokers.length} broker(s) are registered.`,
      );
    }
    assignment = placed;
  }
  const configRecords: MetadataRecord[] = [];
  for (const c of t.configs) {
    if (!TOPIC_CONFIG_DEF.get(c.name))
      throw new TopicError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${c.name}`);
    if (c.value === null)
      throw new TopicError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${c.name}`);
    TOPIC_CONFIG_DEF.parseOne(c.name, c.value);
    configRecords.push({
      type: 'ConfigRecord',
      data: { resourceType: ConfigResourceType.TOPIC, resourceName: t.name, name: c.name, value: c.value },
    });
  }
  const topicId = randomUuid(random);
  const out: MetadataRecord[] = [{ type: 'TopicRecord', data: { name: t.name, topicId } }, ...configRecords];
  assignment.forEach((replicas, partitionId) => {
    out.push({ type: 'PartitionRecord', data: newPartition(topicId, partitionId, replicas) });
  });
  return out;
}

export function newPartition(topicId: string, partitionId: number, replicas: number[]) {
  return {
    partitionId,
    topicId,
    replicas,
    isr: [...replicas],
    removingReplicas: [],
    addingReplicas: [],
    leader: replicas[0]!,
    leaderEpoch: 0,
    partitionEpoch: 0,
    leaderRecoveryState: 0,
    directories: replicas.map(() => ZERO_UUID),
  };
}

function explicitAssignment(t: CreatableTopic, brokers: readonly number[]): number[][] {
  const sorted = [...t.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
  const out: number[][] = [];
  sorted.forEach((a, i) => {
    if (a.partitionIndex !== i) {
      throw new TopicError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'Partitions should be 0-based and consecutive.',
      );
    }
    if (a.brokerIds.length === 0) {
      throw new TopicError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `The manual partition assignment includes an empty replica list.`,
      );
    }
    if (new Set(a.brokerIds).size !== a.brokerIds.length) {
      throw new TopicError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `The manual partition assignment includes the broker ${a.brokerIds.find((b, j) => a.brokerIds.indexOf(b) !== j)} more than once.`,
      );
    }
    for (const b of a.brokerIds) {
      if (!brokers.includes(b)) {
        throw new TopicError(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `The manual partition assignment includes broker ${b}, but no such broker is registered.`,
        );
      }
    }
    if (out.length > 0 && a.brokerIds.length !== out[0]!.length) {
      throw new TopicError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `The manual partition assignment includes a partition with ${a.brokerIds.length} replica(s), but this is not consistent with previous partitions, which have ${out[0]!.length} replica(s).`,
      );
    }
    out.push([...a.brokerIds]);
  });
  return out;
}
