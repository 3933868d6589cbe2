import { StromError } from '../../common/strom-error.js';
import { allocateProducerIds } from '../../metadata/controller/allocate-producer-ids.js';
import { EtcdError } from '../../metadata/etcd/etcd-kv.js';
import { MetadataWriterFencedError } from '../../metadata/metadata-log.js';
import type { MetadataManager } from '../../metadata/metadata-manager.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ApiKey } from '../../protocol/generated/api-registry.js';
import { notController } from '../cluster/controller-channel.js';
import type { ForwardingContext } from '../cluster/forwarding.js';
import { InterBrokerRequestError } from '../cluster/inter-broker-client.js';

/** No producer id can be handed out (the id space is exhausted). */
export class ProducerIdsExhaustedError extends StromError {
  constructor(message: string) {
    super('PRODUCER_IDS_EXHAUSTED', message);
  }
}

/** The controller could not hand out a block (etcd away, or no controller). */
export class ProducerIdsUnavailableError extends StromError {
  constructor(message: string) {
    super('PRODUCER_IDS_UNAVAILABLE', message);
  }
}

/** How long a broker waits for the controller's block of producer ids. */
const ALLOCATE_TIMEOUT_MS = 30_000;

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
    /** In a cluster: blocks come from the active controller when this broker is not it. */
    private readonly remote: {
      readonly forwarding: ForwardingContext;
      readonly brokerEpoch: () => bigint;
    } | null = null,
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
    try {
      await this.allocateBlock();
    } catch (err) {
      // In a cluster a block may be out of reach for a while (etcd away, controller moving):
      // the client retries, as with Kafka's CoordinatorLoadInProgressException.
      if (
        err instanceof EtcdError ||
        err instanceof MetadataWriterFencedError ||
        err instanceof InterBrokerRequestError
      )
        throw new ProducerIdsUnavailableError(`no block of producer ids could be allocated: ${err.message}`);
      throw err;
    }
  }

  private async allocateBlock(): Promise<void> {
    const channel = this.remote?.forwarding.channel();
    if (this.remote && channel && this.remote.forwarding.mustForward()) {
      // Kafka's RPCProducerIdManager: AllocateProducerIds to the controller, with this broker's epoch.
      const res = await channel.send(
        ApiKey.AllocateProducerIds,
        0,
        { brokerId: this.brokerId, brokerEpoch: this.remote.brokerEpoch() },
        ALLOCATE_TIMEOUT_MS,
        notController,
      );
      if (res.errorCode !== ErrorCode.NONE)
        throw new ProducerIdsUnavailableError(
          `the controller allocated no producer ids (error ${res.errorCode})`,
        );
      this.next = res.producerIdStart;
      this.end = res.producerIdStart + BigInt(res.producerIdLen);
      return;
    }
    const block = await this.metadata.submit((image) =>
      allocateProducerIds(image, this.brokerId, image.brokers.get(this.brokerId)?.brokerEpoch ?? -1n),
    );
    if (!block.ok) throw new ProducerIdsExhaustedError(block.reason);
    this.next = block.firstProducerId;
    this.end = block.firstProducerId + block.size;
  }
}
