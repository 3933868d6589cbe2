import { ErrorCode } from '../../protocol/error-codes.js';

/**
 * Clients older than KIP-588 do not know PRODUCER_FENCED: Kafka answers them INVALID_PRODUCER_EPOCH
 * instead (InitProducerId before v4; AddPartitionsToTxn, AddOffsetsToTxn, EndTxn before v2).
 */
export function fencedForVersion(
  errorCode: number,
  apiVersion: number,
  firstVersionKnowingFenced: number,
): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && apiVersion < firstVersionKnowingFenced
    ? ErrorCode.INVALID_PRODUCER_EPOCH
    : errorCode;
}
