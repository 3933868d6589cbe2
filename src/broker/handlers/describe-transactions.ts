import { DescribeTransactionsRequest } from '../../protocol/generated/messages/describe-transactions-request.js';
import { DescribeTransactionsResponse } from '../../protocol/generated/messages/describe-transactions-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';

/** DescribeTransactions v0 (KIP-664): the state of each transactional id this broker coordinates. */
export function describeTransactionsHandler(s: BrokerServices) {
  return defineHandler(
    DescribeTransactionsRequest,
    DescribeTransactionsResponse,
    { min: 0, max: 0 },
    (req) => ({
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((id) => s.transactions.core.describeTransaction(id)),
    }),
  );
}
