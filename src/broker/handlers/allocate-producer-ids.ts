import {
  allocateProducerIds,
  type ProducerIdsBlock,
} from '../../metadata/controller/allocate-producer-ids.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { AllocateProducerIdsRequest } from '../../protocol/generated/messages/allocate-producer-ids-request.js';
import { AllocateProducerIdsResponse } from '../../protocol/generated/messages/allocate-producer-ids-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { submitOrFail } from '../metadata-write.js';

/**
 * AllocateProducerIds (KIP-730): the active controller hands a broker of its cluster the next block
 * of producer ids through the metadata log. A broker that is not the controller answers
 * NOT_CONTROLLER; a block the log cannot record (etcd away) REQUEST_TIMED_OUT.
 */
export function allocateProducerIdsHandler(s: BrokerServices) {
  return defineHandler(
    AllocateProducerIdsRequest,
    AllocateProducerIdsResponse,
    { min: 0, max: 0 },
    async (req) => {
      const failed = (errorCode: number) => ({
        throttleTimeMs: 0,
        errorCode,
        producerIdStart: -1n,
        producerIdLen: -1,
      });
      if (!s.cluster?.isActiveController) return failed(ErrorCode.NOT_CONTROLLER);
      const block = await submitOrFail<{ block: ProducerIdsBlock | null; errorCode: number }>(
        s,
        (image) => {
          const r = allocateProducerIds(image, req.brokerId, req.brokerEpoch);
          return { records: r.records, response: { block: r.response, errorCode: ErrorCode.NONE } };
        },
        (errorCode) => ({ block: null, errorCode }),
      );
      if (block.errorCode !== ErrorCode.NONE) return failed(block.errorCode);
      if (!block.block?.ok) return failed(ErrorCode.UNKNOWN_SERVER_ERROR);
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        producerIdStart: block.block.firstProducerId,
        producerIdLen: Number(block.block.size),
      };
    },
  );
}
