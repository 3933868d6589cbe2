import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
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
    (req, ctx) => ({
      throttleTimeMs: 0,
      // Kafka's KafkaApis.handleDescribeTransactionsRequest: DESCRIBE on the transactional id, and
      // only the partitions of topics the principal may DESCRIBE.
      transactionStates: req.transactionalIds.map((id) => {
        const authorizer = s.authorizer;
        if (
          !authorizer.authorize(ctx.connection, AclOperation.DESCRIBE, AclResourceType.TRANSACTIONAL_ID, id)
        ) {
          return {
            errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
            transactionalId: id,
            transactionState: '',
            transactionTimeoutMs: 0,
            transactionStartTimeMs: -1n,
            producerId: -1n,
            producerEpoch: -1,
            topics: [],
          };
        }
        const d = s.transactions.core.describeTransaction(id);
        if (!authorizer.enabled) return d;
        return {
          ...d,
          topics: d.topics.filter((t) =>
            authorizer.authorize(ctx.connection, AclOperation.DESCRIBE, AclResourceType.TOPIC, t.topic),
          ),
        };
      }),
    }),
  );
}
