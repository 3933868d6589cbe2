import { AclOperation } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { WriteTxnMarkersRequest } from '../../protocol/generated/messages/write-txn-markers-request.js';
import { WriteTxnMarkersResponse } from '../../protocol/generated/messages/write-txn-markers-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { appendTxnMarkers } from '../transaction-coordinator/shell/txn-marker-append.js';

/**
 * WriteTxnMarkers v0-1, sent by transaction coordinators to partition leaders: appends each
 * marker to its partitions and, for __consumer_offsets partitions, completes the producer's
 * pending transactional offsets (KafkaApis.handleWriteTxnMarkersRequest). The broker's own
 * coordinator appends its markers through the same function.
 */
export function writeTxnMarkersHandler(s: BrokerServices) {
  return defineHandler(
    WriteTxnMarkersRequest,
    WriteTxnMarkersResponse,
    { min: 0, max: 1 },
    async (req, ctx) => {
      // Kafka's KafkaApis.handleWriteTxnMarkersRequest: ALTER or CLUSTER_ACTION on the cluster.
      if (
        s.authorizer.enabled &&
        !s.authorizer.authorizeCluster(ctx.connection, AclOperation.ALTER, false) &&
        !s.authorizer.authorizeCluster(ctx.connection, AclOperation.CLUSTER_ACTION)
      ) {
        return {
          markers: req.markers.map((m) => ({
            producerId: m.producerId,
            topics: m.topics.map((t) => ({
              name: t.name,
              partitions: t.partitionIndexes.map((partitionIndex) => ({
                partitionIndex,
                errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
              })),
            })),
          })),
        };
      }
      return {
        markers: await Promise.all(
          req.markers.map(async (m) => ({
            producerId: m.producerId,
            topics: await appendTxnMarkers(s.txnMarkerAppend, {
              producerId: m.producerId,
              producerEpoch: m.producerEpoch,
              coordinatorEpoch: m.coordinatorEpoch,
              commit: m.transactionResult,
              topics: m.topics,
            }),
          })),
        ),
      };
    },
  );
}
