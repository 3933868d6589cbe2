import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { AddOffsetsToTxnRequest } from '../../protocol/generated/messages/add-offsets-to-txn-request.js';
import { AddOffsetsToTxnResponse } from '../../protocol/generated/messages/add-offsets-to-txn-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { fencedForVersion } from './txn-errors.js';

/**
 * AddOffsetsToTxn v0-4: the consumer group's __consumer_offsets partition joins the transaction,
 * so that the group's transactional offset commits get the transaction's marker
 * (KafkaApis.handleAddOffsetsToTxnRequest).
 */
export function addOffsetsToTxnHandler(s: BrokerServices) {
  return defineHandler(
    AddOffsetsToTxnRequest,
    AddOffsetsToTxnResponse,
    { min: 0, max: 4 },
    async (req, ctx) => {
      // Kafka: WRITE on the transactional id, then READ on the group.
      const authorizer = s.authorizer;
      const id = req.transactionalId;
      if (!authorizer.authorize(ctx.connection, AclOperation.WRITE, AclResourceType.TRANSACTIONAL_ID, id)) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
      }
      if (!authorizer.authorize(ctx.connection, AclOperation.READ, AclResourceType.GROUP, req.groupId)) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
      }
      const r = await s.transactions.addOffsetsToTxn({
        transactionalId: req.transactionalId,
        producerId: req.producerId,
        producerEpoch: req.producerEpoch,
        groupId: req.groupId,
      });
      return { throttleTimeMs: 0, errorCode: fencedForVersion(r.errorCode, ctx.apiVersion, 2) };
    },
  );
}
