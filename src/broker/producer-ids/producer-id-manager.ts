import { StromError } from '../../common/strom-error.js';
import { allocateProducerIds } from '../../metadata/controller/allocate-producer-ids.js';
import type { MetadataManager } from '../../metadata/metadata-manager.js';

/** No producer id can be handed out (the id space is exhausted). */
export class ProducerIdsExhaustedError extends StromError {
  constructor(message: string) {
    super('PRODUCER_IDS_EXHAUSTED', message);
  }
}

/**
 * A broker's producer ids (Kafka's RPCProducerIdManager): ids come from a block the controller
 * allocated through the metadata log, one at a time; when the block runs out the next is asked
 * for. Concurrent callers share one allocation in flight.
 */
export class ProducerIdManager {
  private next = 0n;
  private end = 0n;
  private allocating: Promise<void> | null = null;

  constructor(
    private readonly metadata: MetadataManager,
    private readonly brokerId: number,
  ) {}

  async generateProducerId(): Promise<bigint> {
    while (this.next >= this.end) {
      this.allocating ??= this.allocate().finally(() => {
        this.allocating = null;
      });
      await this.allocating;
    }
    return this.next++;
  }

  private async allocate(): Promise<void> {
    const block = await this.metadata.submit((image) =>
      allocateProducerIds(image, this.brokerId, image.brokers.get(this.brokerId)?.brokerEpoch ?? -1n),
    );
    if (!block.ok) throw new ProducerIdsExhaustedError(block.reason);
    this.next = block.firstProducerId;
    this.end = block.firstProducerId + block.size;
  }
}
