import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { isInternalTopic } from '../../metadata/topic-name.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DeleteRecordsRequest } from '../../protocol/generated/messages/delete-records-request.js';
import { DeleteRecordsResponse } from '../../protocol/generated/messages/delete-records-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { kafkaErrorFor } from '../replica/storage-error-codes.js';

/** DeleteRecordsRequest.HIGH_WATERMARK: delete everything below the high watermark. */
const HIGH_WATERMARK = -1n;

/**
 * DeleteRecords: moves a partition's log start offset forward (never past the high watermark);
 * whole segments below it are deleted. Only topics whose cleanup policy includes delete allow it.
 */
export function deleteRecordsHandler(s: BrokerServices) {
  return defineHandler(DeleteRecordsRequest, DeleteRecordsResponse, { min: 0, max: 2 }, (req, ctx) => {
    const image = s.metadata.image;
    // Kafka's KafkaApis.handleDeleteRecordsRequest: DELETE on each topic.
    const allowed = s.authorizer.filterAuthorized(
      ctx.connection,
      AclOperation.DELETE,
      AclResourceType.TOPIC,
      req.topics.map((t) => t.name),
    );
    const topics = req.topics.map((t) => {
      const policy = s.replicas.logConfigFor(t.name).cleanupPolicy ?? 'delete';
      return {
        name: t.name,
        partitions: t.partitions.map((p) => {
          const fail = (errorCode: number) => ({
            partitionIndex: p.partitionIndex,
            lowWatermark: -1n,
            errorCode,
          });
          if (!allowed.has(t.name)) return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          // Kafka's ReplicaManager.deleteRecordsOnLocalLog: the coordinators own these logs.
          if (isInternalTopic(t.name)) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION);
          const lookup = s.replicas.leader(image, t.name, p.partitionIndex);
          if (!lookup.partition) return fail(lookup.errorCode);
          if (!policy.includes('delete')) return fail(ErrorCode.POLICY_VIOLATION);
          const log = lookup.partition.log;
          const target = p.offset === HIGH_WATERMARK ? log.highWatermark : Number(p.offset);
          if (p.offset < HIGH_WATERMARK) return fail(ErrorCode.OFFSET_OUT_OF_RANGE);
          try {
            const low = log.deleteRecordsBefore(target);
            s.logger.info(
              { topic: t.name, partition: p.partitionIndex, logStartOffset: low },
              'records deleted',
            );
            return { partitionIndex: p.partitionIndex, lowWatermark: BigInt(low), errorCode: ErrorCode.NONE };
          } catch (err) {
            const mapped = kafkaErrorFor(err);
            if (!mapped) throw err;
            return fail(mapped.code);
          }
        }),
      };
    });
    return { throttleTimeMs: 0, topics };
  });
}
