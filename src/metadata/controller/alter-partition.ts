import { ErrorCode } from '../../protocol/error-codes.js';
import type { AlterPartitionRequest } from '../../protocol/generated/messages/alter-partition-request.js';
import type {
  AlterPartitionResponse,
  AlterPartitionResponsePartitionData,
} from '../../protocol/generated/messages/alter-partition-response.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import type { MetadataImage, PartitionState } from '../metadata-image.js';
import type { ControllerResult, MetadataRecord } from './metadata-record.js';
import { buildPartitionChange, RECOVERED, RECOVERING } from './partition-change.js';
import { acceptableBroker, changeContext, type ElectionSettings } from './partition-elections.js';

/**
 * AlterPartition (KIP-497, KIP-841, KIP-903), as Kafka's ReplicationControlManager.alterPartition
 * validates it: a partition leader proposes a new ISR on the state it knows (leader epoch and
 * partition epoch); the controller refuses anything decided on an older state, from a broker that
 * does not lead the partition, or adding a replica that may not be in the ISR (fenced, shutting
 * down, or an older incarnation than the proposal names); otherwise it writes the
 * PartitionChangeRecord (with the ELR of KIP-966) and answers with the partition as it now is.
 */
export function alterPartition(
  image: MetadataImage,
  request: AlterPartitionRequest,
  settings: ElectionSettings,
): ControllerResult<AlterPartitionResponse> {
  const records: MetadataRecord[] = [];
  const requester = image.brokers.get(request.brokerId);
  // Kafka's checkBrokerEpoch: a request from another incarnation of the broker is stale.
  if (
    requester === undefined ||
    (request.brokerEpoch !== -1n && requester.brokerEpoch !== request.brokerEpoch)
  )
    return { records, response: { throttleTimeMs: 0, errorCode: ErrorCode.STALE_BROKER_EPOCH, topics: [] } };
  const topics: AlterPartitionResponse['topics'] = [];
  for (const t of request.topics) {
    const topic = t.topicId !== ZERO_UUID ? image.topicsById.get(t.topicId) : image.topic(t.topicName);
    const partitions: AlterPartitionResponsePartitionData[] = [];
    topics.push({ topicName: t.topicName, topicId: t.topicId, partitions });
    for (const pd of t.partitions) {
      const failed = (errorCode: number): void => {
        partitions.push({
          partitionIndex: pd.partitionIndex,
          errorCode,
          leaderId: -1,
          leaderEpoch: -1,
          isr: [],
          leaderRecoveryState: -1,
          partitionEpoch: -1,
        });
      };
      if (topic === undefined) {
        failed(t.topicId !== ZERO_UUID ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        continue;
      }
      const p = topic.partitions.get(pd.partitionIndex);
      const newIsr =
        pd.newIsrWithEpochs.length > 0
          ? pd.newIsrWithEpochs
          : pd.newIsr.map((brokerId) => ({ brokerId, brokerEpoch: -1n }));
      const error = validate(image, request.brokerId, p, pd, newIsr);
      if (error !== ErrorCode.NONE) {
        failed(error);
        continue;
      }
      const state = p!;
      const out = buildPartitionChange(
        topic.topicId,
        state,
        { isr: newIsr.map((m) => m.brokerId), election: 'clean' },
        changeContext(image, topic.name, settings),
      );
      let after = state;
      if (out.record !== null) {
        if (pd.leaderRecoveryState === RECOVERED && state.leaderRecoveryState === RECOVERING)
          out.record.leaderRecoveryState = RECOVERED;
        records.push({ type: 'PartitionChangeRecord', data: out.record });
        after = {
          ...state,
          isr: [...out.isr],
          leader: out.leader,
          leaderEpoch: out.leader !== state.leader ? state.leaderEpoch + 1 : state.leaderEpoch,
          partitionEpoch: state.partitionEpoch + 1,
          leaderRecoveryState:
            out.record.leaderRecoveryState >= 0 ? out.record.leaderRecoveryState : state.leaderRecoveryState,
        };
      }
      partitions.push({
        partitionIndex: pd.partitionIndex,
        errorCode: ErrorCode.NONE,
        leaderId: after.leader,
        leaderEpoch: after.leaderEpoch,
        isr: [...after.isr],
        leaderRecoveryState: after.leaderRecoveryState,
        partitionEpoch: after.partitionEpoch,
      });
    }
  }
  return { records, response: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics } };
}

/** Kafka's validateAlterPartitionData, in its order. */
function validate(
  image: MetadataImage,
  brokerId: number,
  p: PartitionState | undefined,
  pd: AlterPartitionRequest['topics'][number]['partitions'][number],
  newIsr: readonly { brokerId: number; brokerEpoch: bigint }[],
): number {
  if (p === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  // A leader that knows a newer state than this controller is talking to a deposed controller.
  if (pd.leaderEpoch > p.leaderEpoch || pd.partitionEpoch > p.partitionEpoch) return ErrorCode.NOT_CONTROLLER;
  if (brokerId !== p.leader) return ErrorCode.INVALID_REQUEST;
  if (pd.leaderEpoch < p.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (pd.partitionEpoch < p.partitionEpoch) return ErrorCode.INVALID_UPDATE_VERSION;
  const ids = newIsr.map((m) => m.brokerId);
  if (new Set(ids).size !== ids.length || ids.some((id) => !p.replicas.includes(id)))
    return ErrorCode.INVALID_REQUEST;
  if (!ids.includes(p.leader)) return ErrorCode.INVALID_REQUEST;
  if (pd.leaderRecoveryState === RECOVERING && p.leaderRecoveryState === RECOVERED)
    return ErrorCode.INVALID_REQUEST;
  if (pd.leaderRecoveryState === RECOVERING && ids.length > 1) return ErrorCode.INVALID_REQUEST;
  for (const m of newIsr) {
    if (p.isr.includes(m.brokerId)) continue;
    const b = image.brokers.get(m.brokerId);
    // KIP-841: fenced or shutting-down brokers may not join; KIP-903: nor an older incarnation.
    if (!acceptableBroker(image, m.brokerId)) return ErrorCode.INELIGIBLE_REPLICA;
    if (m.brokerEpoch !== -1n && b!.brokerEpoch !== m.brokerEpoch) return ErrorCode.INELIGIBLE_REPLICA;
  }
  return ErrorCode.NONE;
}
