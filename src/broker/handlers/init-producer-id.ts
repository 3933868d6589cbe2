import { ErrorCode } from '../../protocol/error-codes.js';
import { InitProducerIdRequest } from '../../protocol/generated/messages/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../protocol/generated/messages/init-producer-id-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';

/** RecordBatch.NO_PRODUCER_ID and NO_PRODUCER_EPOCH. */
const NO_PRODUCER_ID = -1n;
const NO_PRODUCER_EPOCH = -1;

const failed = (errorCode: number) => ({
  throttleTimeMs: 0,
  errorCode,
  producerId: NO_PRODUCER_ID,
  producerEpoch: NO_PRODUCER_EPOCH,
});

/**
 * InitProducerId, every version. Without a transactional id (an idempotent producer) the answer
 * is always a fresh producer id at epoch 0, as Kafka's TransactionCoordinator.handleInitProducerId
 * gives it: the idempotent producer bumps its epoch itself (KIP-360) and asks for a new id only
 * when the epoch would overflow, so the producer id and epoch a v3+ request carries are only
 * checked for consistency (KafkaApis: both -1 or neither). A transactional id needs the
 * transaction coordinator, which this broker does not run yet: after Kafka's own checks (empty id,
 * transaction timeout) the answer is NOT_COORDINATOR, what a broker that is not the id's
 * coordinator answers; FindCoordinator(TRANSACTION) says COORDINATOR_NOT_AVAILABLE, so clients
 * report transactions as unavailable rather than misbehave. Authorization (IDEMPOTENT_WRITE on the
 * cluster, WRITE on the transactional id) goes first once an authorizer exists.
 */
export function initProducerIdHandler(s: BrokerServices) {
  return defineHandler(InitProducerIdRequest, InitProducerIdResponse, { min: 0, max: 5 }, async (req) => {
    const noId = req.producerId === NO_PRODUCER_ID;
    const noEpoch = req.producerEpoch === NO_PRODUCER_EPOCH;
    if (noId !== noEpoch) return failed(ErrorCode.INVALID_REQUEST);
    if (req.transactionalId !== null) {
      if (req.transactionalId === '') return failed(ErrorCode.INVALID_REQUEST);
      const timeoutMs = req.transactionTimeoutMs;
      if (timeoutMs <= 0 || timeoutMs > s.config.get('transaction.max.timeout.ms'))
        return failed(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
      return failed(ErrorCode.NOT_COORDINATOR);
    }
    try {
      const producerId = await s.producerIds.generateProducerId();
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
    } catch (err) {
      s.logger.error({ err }, 'could not allocate a producer id');
      return failed(ErrorCode.UNKNOWN_SERVER_ERROR);
    }
  });
}
