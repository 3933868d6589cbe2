import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DescribeProducersRequest } from '../../protocol/generated/messages/describe-producers-request.js';
import {
  DescribeProducersResponse,
  type DescribeProducersResponsePartitionResponse,
  type DescribeProducersResponseProducerState,
} from '../../protocol/generated/messages/describe-producers-response.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { kafkaErrorFor } from '../replica/storage-error-codes.js';

/**
 * DescribeProducers v0 (KIP-664): per partition, the producers its producer state holds (id, epoch,
 * last sequence and timestamp, coordinator epoch, first offset of the open transaction), as Kafka's
 * KafkaApis.handleDescribeProducersRequest and UnifiedLog.activeProducers answer. Any replica
 * hosted here answers, leader or follower (the Admin client may ask a given broker); a partition
 * the metadata does not know is UNKNOWN_TOPIC_OR_PARTITION, one hosted elsewhere
 * NOT_LEADER_OR_FOLLOWER.
 */
export function describeProducersHandler(s: BrokerServices) {
  return defineHandler(
    DescribeProducersRequest,
    DescribeProducersResponse,
    { min: 0, max: 0 },
    (req, ctx) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        // Kafka's KafkaApis.handleDescribeProducersRequest: READ on the topic.
        const allowed = s.authorizer.authorize(
          ctx.connection,
          AclOperation.READ,
          AclResourceType.TOPIC,
          t.name,
        );
        return {
          name: t.name,
          partitions: t.partitionIndexes.map((partition) =>
            allowed
              ? describePartition(s, t.name, partition)
              : {
                  partitionIndex: partition,
                  errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
                  errorMessage: null,
                  activeProducers: [],
                },
          ),
        };
      }),
    }),
  );
}

function describePartition(
  s: BrokerServices,
  topic: string,
  partitionIndex: number,
): DescribeProducersResponsePartitionResponse {
  const answer = (errorCode: number, activeProducers: DescribeProducersResponseProducerState[] = []) => ({
    partitionIndex,
    errorCode,
    errorMessage: null,
    activeProducers,
  });
  if (!s.metadata.image.partition(topic, partitionIndex)) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const hosted = s.replicas.get(topic, partitionIndex);
  if (!hosted) return answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  // A partition never written has no log yet, and no producers: answered without creating one.
  if (!hosted.isLoaded && !s.replicas.logs.hasLog({ topic, partition: partitionIndex }))
    return answer(ErrorCode.NONE);
  try {
    return answer(ErrorCode.NONE, activeProducers(hosted.log));
  } catch (err) {
    const mapped = kafkaErrorFor(err);
    if (!mapped) throw err;
    return answer(mapped.code);
  }
}

function activeProducers(log: PartitionLog): DescribeProducersResponseProducerState[] {
  return [...log.producerState.entries()].map((e) => ({
    producerId: e.producerId,
    producerEpoch: e.producerEpoch,
    lastSequence: e.lastSeq,
    lastTimestamp: BigInt(e.lastTimestamp),
    coordinatorEpoch: e.coordinatorEpoch,
    currentTxnStartOffset: BigInt(e.currentTxnFirstOffset),
  }));
}
