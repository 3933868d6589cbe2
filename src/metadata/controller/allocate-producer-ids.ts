import type { MetadataImage } from '../metadata-image.js';
import type { ControllerResult } from './metadata-record.js';

/** Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE: how many ids one allocation hands a broker. */
export const PRODUCER_ID_BLOCK_SIZE = 1000n;

/** The largest producer id (int64), past which no block can be allocated. */
const MAX_PRODUCER_ID = 2n ** 63n - 1n;

export type ProducerIdsBlock =
  | { readonly ok: true; readonly firstProducerId: bigint; readonly size: bigint }
  | { readonly ok: false; readonly reason: string };

/**
 * Hands out the next block of producer ids (Kafka's ProducerIdControlManager.generateNextProducerId):
 * one ProducerIdsRecord moves the image's next id past the block, so no id is ever given twice,
 * not even after a restart (the record is durable before any id of the block is used).
 */
export function allocateProducerIds(
  image: MetadataImage,
  brokerId: number,
  brokerEpoch: bigint,
): ControllerResult<ProducerIdsBlock> {
  const first = image.nextProducerId;
  if (first > MAX_PRODUCER_ID - PRODUCER_ID_BLOCK_SIZE) {
    return { records: [], response: { ok: false, reason: 'producer ids are exhausted' } };
  }
  return {
    records: [
      {
        type: 'ProducerIdsRecord',
        data: { brokerId, brokerEpoch, nextProducerId: first + PRODUCER_ID_BLOCK_SIZE },
      },
    ],
    response: { ok: true, firstProducerId: first, size: PRODUCER_ID_BLOCK_SIZE },
  };
}
