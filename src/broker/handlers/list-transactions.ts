import { ListTransactionsRequest } from '../../protocol/generated/messages/list-transactions-request.js';
import { ListTransactionsResponse } from '../../protocol/generated/messages/list-transactions-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';

/**
 * ListTransactions v0-1 (KIP-664): the transactional ids this broker coordinates, filtered by
 * state and producer id, and from v1 (KIP-994) by how long the transaction has been running.
 */
export function listTransactionsHandler(s: BrokerServices) {
  return defineHandler(ListTransactionsRequest, ListTransactionsResponse, { min: 0, max: 1 }, (req, ctx) => ({
    throttleTimeMs: 0,
    ...s.transactions.core.listTransactions({
      stateFilters: req.stateFilters,
      producerIdFilters: req.producerIdFilters,
      durationFilterMs: ctx.apiVersion >= 1 ? Number(req.durationFilter) : -1,
    }),
  }));
}
