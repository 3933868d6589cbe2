import type { Random } from '../../common/random.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { MetadataImage } from '../metadata-image.js';
import { MAX_RECORDS_PER_USER_OP, newPartition, rackOf, usableBrokers } from './create-topics.js';
import type { ControllerResult, MetadataRecord } from './metadata-record.js';
import { placeReplicas } from './replica-placement.js';

export interface CreatePartitionsTopic {
  readonly name: string;
  readonly count: number;
  readonly assignments: readonly { readonly brokerIds: readonly number[] }[] | null;
}

export interface CreatePartitionsOutcome {
  readonly name: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

/** CreatePartitions: grows a topic to `count` partitions, placed like new topics unless assigned. */
export function createPartitions(
  image: MetadataImage,
  topics: readonly CreatePartitionsTopic[],
  validateOnly: boolean,
  random: Random,
): ControllerResult<CreatePartitionsOutcome[]> {
  const records: MetadataRecord[] = [];
  const response: CreatePartitionsOutcome[] = [];
  const seen = new Map<string, number>();
  for (const t of topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  const brokers = usableBrokers(image);
  for (const t of topics) {
    const result = (errorCode: number, errorMessage: string | null): void => {
      response.push({ name: t.name, errorCode, errorMessage });
    };
    const topic = image.topic(t.name);
    const current = topic?.partitions.size ?? 0;
    if (seen.get(t.name)! > 1) {
      result(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.');
    } else if (!topic) {
      result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
    } else if (t.count < current) {
      result(
        ErrorCode.INVALID_PARTITIONS,
        `Topic currently has ${current} partitions, which is higher than the requested ${t.count}.`,
      );
    } else if (t.count === current) {
      result(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
    } else if (t.count - current + records.length > MAX_RECORDS_PER_USER_OP) {
      result(ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.');
    } else if (t.assignments !== null && t.assignments.length !== t.count - current) {
      result(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Attempted to add ${t.count - current} additional partition(s), but only ${t.assignments.length} assignment(s) were specified.`,
      );
    } else {
      const rf = topic.partitions.get(0)?.replicas.length ?? 1;
      let placed: number[][] | null;
      if (t.assignments) {
        placed = t.assignments.map((a) => [...a.brokerIds]);
        const bad = placed.find(
          (r) => r.length === 0 || r.some((b) => !brokers.includes(b)) || new Set(r).size !== r.length,
        );
        if (bad) {
          result(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            `The manual partition assignment ${JSON.stringify(bad)} is not valid.`,
          );
          continue;
        }
      } else {
        placed = placeReplicas(brokers, current, t.count - current, rf, random, rackOf(image));
      }
      if (!placed) {
        result(
          ErrorCode.INVALID_REPLICATION_FACTOR,
          `Unable to replicate the partition ${rf} time(s): only ${brokers.length} broker(s) are registered.`,
        );
        continue;
      }
      if (!validateOnly) {
        placed.forEach((replicas, i) => {
          records.push({ type: 'PartitionRecord', data: newPartition(topic.topicId, current + i, replicas) });
        });
      }
      result(ErrorCode.NONE, null);
    }
  }
  return { records, response };
}
