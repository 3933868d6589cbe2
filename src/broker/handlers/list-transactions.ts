import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ListTransactionsRequest } from '../../protocol/generated/messages/list-transactions-request.js';
import { ListTransactionsResponse } from '../../protocol/generated/messages/list-transactions-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';

/**
 * ListTransactions v0-1 (KIP-664): the transactional ids this broker coordinates, filtered by
 * state and producer id, and from v1 (KIP-994) by how long the transaction has been running.
 */
export function listTransactionsHandler(s: BrokerServices) {
  return defineHandler(ListTransactionsRequest, ListTransactionsResponse, { min: 0, max: 1 }, (req, ctx) => {
    const r = s.transactions.core.listTransactions({
      stateFilters: req.stateFilters,
      producerIdFilters: req.producerIdFilters,
      durationFilterMs: ctx.apiVersion >= 1 ? Number(req.durationFilter) : -1,
    });
    if (!s.authorizer.enabled) return { throttleTimeMs: 0, ...r };
    // Kafka's KafkaApis.handleListTransactionsRequest: only the ids the principal may DESCRIBE.
    return {
      throttleTimeMs: 0,
      ...r,
      transactionStates: r.transactionStates.filter((t) =>
        s.authorizer.authorize(
          ctx.connection,
          AclOperation.DESCRIBE,
          AclResourceType.TRANSACTIONAL_ID,
          t.transactionalId,
        ),
      ),
    };
  });
}
