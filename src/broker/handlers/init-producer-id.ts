import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { InitProducerIdRequest } from '../../protocol/generated/messages/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../protocol/generated/messages/init-producer-id-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { ProducerIdsUnavailableError } from '../producer-ids/producer-id-manager.js';
import { fencedForVersion } from './txn-errors.js';

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
 * checked for consistency (KafkaApis: both -1 or neither). A transactional id goes to the
 * transaction coordinator (new producer id, epoch bump, fencing); clients before v4 get
 * INVALID_PRODUCER_EPOCH for PRODUCER_FENCED (KIP-588). Authorization goes first, as Kafka's
 * KafkaApis.handleInitProducerIdRequest: WRITE on the transactional id, or for an idempotent
 * producer IDEMPOTENT_WRITE on the cluster or WRITE on some topic (KIP-679).
 */
export function initProducerIdHandler(s: BrokerServices) {
  return defineHandler(
    InitProducerIdRequest,
    InitProducerIdResponse,
    { min: 0, max: 5 },
    async (req, ctx) => {
      const noId = req.producerId === NO_PRODUCER_ID;
      const noEpoch = req.producerEpoch === NO_PRODUCER_EPOCH;
      const authorizer = s.authorizer;
      if (req.transactionalId !== null) {
        const id = req.transactionalId;
        if (!authorizer.authorize(ctx.connection, AclOperation.WRITE, AclResourceType.TRANSACTIONAL_ID, id)) {
          return failed(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        }
      } else if (
        authorizer.enabled &&
        !authorizer.authorizeCluster(ctx.connection, AclOperation.IDEMPOTENT_WRITE, false) &&
        !authorizer.authorizeByResourceType(ctx.connection, AclOperation.WRITE, AclResourceType.TOPIC)
      ) {
        return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
      }
      if (noId !== noEpoch) return failed(ErrorCode.INVALID_REQUEST);
      if (req.transactionalId !== null) {
        const r = await s.transactions.initProducerId({
          transactionalId: req.transactionalId,
          transactionTimeoutMs: req.transactionTimeoutMs,
          producerId: req.producerId,
          producerEpoch: req.producerEpoch,
        });
        if (r.errorCode !== ErrorCode.NONE) return failed(fencedForVersion(r.errorCode, ctx.apiVersion, 4));
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.NONE,
          producerId: r.producerId,
          producerEpoch: r.producerEpoch,
        };
      }
      try {
        const producerId = await s.producerIds.generateProducerId();
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
      } catch (err) {
        if (err instanceof ProducerIdsUnavailableError) {
          s.logger.warn({ err: err.message }, 'no producer id available yet');
          return failed(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
        }
        s.logger.error({ err }, 'could not allocate a producer id');
        return failed(ErrorCode.UNKNOWN_SERVER_ERROR);
      }
    },
  );
}
