import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ApiKey } from '../../protocol/generated/api-registry.js';
import type { ControllerChannel } from '../cluster/controller-channel.js';
import { InterBrokerRequestError } from '../cluster/inter-broker-client.js';
import type { AlterPartitionAnswer, AlterPartitionProposal } from '../replication/replication-types.js';
import type { HostedPartition } from './hosted-partition.js';

/** AlterPartition v3: the ISR with broker epochs (KIP-903), topics by id. */
const ALTER_PARTITION_VERSION = 3;
/** How long one attempt may take before the leader proposes again (Kafka retries until answered). */
const ATTEMPT_TIMEOUT_MS = 10_000;

export interface AlterPartitionSenderDeps {
  readonly channel: () => ControllerChannel | null;
  readonly nodeId: number;
  readonly brokerEpoch: () => bigint;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Feeds the answer (null: no answer) back to the partition's leader state. */
  readonly onAnswer: (
    p: HostedPartition,
    proposal: AlterPartitionProposal,
    answer: AlterPartitionAnswer | null,
  ) => void;
  /** replica.fetch.backoff.ms-like pause before a failed proposal is sent again. */
  readonly retryBackoffMs: number;
}

/**
 * Kafka's AlterPartitionManager: a leader's ISR change goes to the active controller as
 * AlterPartition with the leader and partition epochs it was decided on; the answer (or its
 * absence, after a pause) goes back to the partition's leader state, which decides what next.
 */
export class AlterPartitionSender {
  constructor(private readonly deps: AlterPartitionSenderDeps) {}

  send(p: HostedPartition, proposal: AlterPartitionProposal): void {
    void this.attempt(p, proposal);
  }

  private async attempt(p: HostedPartition, proposal: AlterPartitionProposal): Promise<void> {
    const { deps } = this;
    const channel = deps.channel();
    let answer: AlterPartitionAnswer | null = null;
    if (channel !== null) {
      try {
        const res = await channel.send(
          ApiKey.AlterPartition,
          ALTER_PARTITION_VERSION,
          {
            brokerId: deps.nodeId,
            brokerEpoch: deps.brokerEpoch(),
            topics: [
              {
                topicId: proposal.topicId,
                partitions: [
                  {
                    partitionIndex: proposal.partitionId,
                    leaderEpoch: proposal.leaderEpoch,
                    partitionEpoch: proposal.partitionEpoch,
                    newIsrWithEpochs: proposal.newIsr.map((m) => ({
                      brokerId: m.brokerId,
                      brokerEpoch: m.brokerEpoch,
                    })),
                    leaderRecoveryState: 0,
                  },
                ],
              },
            ],
          },
          ATTEMPT_TIMEOUT_MS,
          (r) => r.errorCode === ErrorCode.NOT_CONTROLLER,
        );
        const pd = res.topics[0]?.partitions[0];
        if (res.errorCode !== ErrorCode.NONE) {
          deps.logger.warn(
            { errorCode: res.errorCode, topic: p.topic, partition: p.partition },
            'AlterPartition refused',
          );
        } else if (pd !== undefined) {
          answer =
            pd.errorCode !== ErrorCode.NONE
              ? { errorCode: pd.errorCode }
              : {
                  errorCode: ErrorCode.NONE,
                  leaderEpoch: pd.leaderEpoch,
                  partitionEpoch: pd.partitionEpoch,
                  isr: pd.isr,
                };
          deps.logger.info(
            {
              topic: p.topic,
              partition: p.partition,
              isr: pd.isr,
              errorCode: pd.errorCode,
              partitionEpoch: pd.partitionEpoch,
            },
            'AlterPartition answered',
          );
        }
      } catch (err) {
        if (!(err instanceof InterBrokerRequestError)) throw err;
        deps.logger.warn(
          { err: err.message, topic: p.topic, partition: p.partition },
          'AlterPartition got no answer',
        );
      }
    }
    if (answer === null) {
      await new Promise<void>((resolve) => deps.clock.setTimer(deps.retryBackoffMs, resolve));
    }
    deps.onAnswer(p, proposal, answer);
  }
}
