import type { Logger } from '../../../common/logger.js';
import type { MetadataImage } from '../../../metadata/metadata-image.js';
import { ErrorCode } from '../../../protocol/error-codes.js';
import { ApiKey } from '../../../protocol/generated/api-registry.js';
import { interBrokerAddress } from '../../cluster/controller-channel.js';
import { type InterBrokerClient, InterBrokerRequestError } from '../../cluster/inter-broker-client.js';
import type { TxnMarker } from '../core/transaction-effects.js';
import type { TransactionMarkerSender } from './transaction-marker-sender.js';

/** How long one WriteTxnMarkers may take before the partitions it carried are tried again. */
const MARKER_REQUEST_TIMEOUT_MS = 30_000;

type MarkerResult = { topic: string; partition: number; errorCode: number };

/**
 * Markers in a cluster (Kafka's TransactionMarkerChannelManager): the transaction's partitions are
 * grouped by their leader in the current image; this broker's own go through the local sender
 * (the WriteTxnMarkers handler's code path), every other leader gets one WriteTxnMarkers request
 * on the inter-broker listener. A partition without a leader, or whose leader cannot be reached,
 * comes back with a retriable error, and the coordinator's shell sends it again after a backoff.
 */
export class ClusterTransactionMarkerSender implements TransactionMarkerSender {
  constructor(
    private readonly o: {
      readonly nodeId: number;
      readonly local: TransactionMarkerSender;
      readonly client: () => InterBrokerClient | null;
      readonly image: () => MetadataImage;
      readonly listenerName: string;
      readonly logger: Logger;
    },
  ) {}

  async send(marker: TxnMarker): Promise<MarkerResult[]> {
    const image = this.o.image();
    const byLeader = new Map<number, Map<string, number[]>>();
    const failed: MarkerResult[] = [];
    for (const t of marker.partitions) {
      for (const partition of t.partitions) {
        const leader = image.partition(t.topic, partition)?.leader ?? -1;
        if (leader < 0) {
          failed.push({ topic: t.topic, partition, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER });
          continue;
        }
        let topics = byLeader.get(leader);
        if (!topics) {
          topics = new Map();
          byLeader.set(leader, topics);
        }
        const list = topics.get(t.topic) ?? [];
        list.push(partition);
        topics.set(t.topic, list);
      }
    }
    const sent = await Promise.all(
      [...byLeader].map(([leader, topics]) => {
        const partitions = [...topics].map(([topic, ps]) => ({ topic, partitions: ps }));
        return leader === this.o.nodeId
          ? this.o.local.send({ ...marker, partitions })
          : this.sendRemote(image, leader, marker, partitions);
      }),
    );
    return [...failed, ...sent.flat()];
  }

  private async sendRemote(
    image: MetadataImage,
    leader: number,
    marker: TxnMarker,
    partitions: TxnMarker['partitions'],
  ): Promise<MarkerResult[]> {
    const all = (errorCode: number): MarkerResult[] =>
      partitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition, errorCode })));
    const client = this.o.client();
    const address = interBrokerAddress(image, leader, this.o.listenerName);
    if (!client || !address) return all(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    try {
      const res = await client.send(
        address,
        ApiKey.WriteTxnMarkers,
        1,
        {
          markers: [
            {
              producerId: marker.producerId,
              producerEpoch: marker.producerEpoch,
              transactionResult: marker.result === 'commit',
              topics: partitions.map((t) => ({ name: t.topic, partitionIndexes: [...t.partitions] })),
              coordinatorEpoch: marker.coordinatorEpoch,
            },
          ],
        },
        MARKER_REQUEST_TIMEOUT_MS,
      );
      return (res.markers[0]?.topics ?? []).flatMap((t) =>
        t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode: p.errorCode })),
      );
    } catch (err) {
      if (!(err instanceof InterBrokerRequestError)) throw err;
      this.o.logger.warn(
        { leader, transactionalId: marker.transactionalId, err: err.message },
        'transaction markers not delivered; retrying',
      );
      return all(ErrorCode.NETWORK_EXCEPTION);
    }
  }
}
