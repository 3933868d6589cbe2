import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { EndTxnRequest } from '../../protocol/generated/messages/end-txn-request.js';
import { EndTxnResponse } from '../../protocol/generated/messages/end-txn-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { fencedForVersion } from './txn-errors.js';

/**
 * EndTxn v0-4: commits or aborts the transaction; answered once PrepareCommit or PrepareAbort is
 * durable, the markers following (KafkaApis.handleEndTxnRequest).
 */
export function endTxnHandler(s: BrokerServices) {
  return defineHandler(EndTxnRequest, EndTxnResponse, { min: 0, max: 4 }, async (req, ctx) => {
    // Kafka: WRITE on the transactional id.
    const id = req.transactionalId;
    if (!s.authorizer.authorize(ctx.connection, AclOperation.WRITE, AclResourceType.TRANSACTIONAL_ID, id)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    }
    const r = await s.transactions.endTxn({
      transactionalId: req.transactionalId,
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
      committed: req.committed,
    });
    return { throttleTimeMs: 0, errorCode: fencedForVersion(r.errorCode, ctx.apiVersion, 2) };
  });
}
