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
  return defineHandler(WriteTxnMarkersRequest, WriteTxnMarkersResponse, { min: 0, max: 1 }, async (req) => ({
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
  }));
}
