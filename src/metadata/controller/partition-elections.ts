import { ErrorCode } from '../../protocol/error-codes.js';
import type {
  MetadataImage,
  PartitionChangeRecordData,
  PartitionState,
  TopicImage,
} from '../metadata-image.js';
import type { ControllerResult, MetadataRecord } from './metadata-record.js';
import {
  buildPartitionChange,
  type Election,
  NO_LEADER,
  type PartitionChangeContext,
} from './partition-change.js';

/** The topic settings elections read (the topic's effective config; Kafka's defaults otherwise). */
export interface ElectionSettings {
  /** min.insync.replicas of the topic (Kafka's default 1). */
  readonly minInsyncReplicas: (topic: string) => number;
  /** unclean.leader.election.enable of the topic (Kafka's default false). */
  readonly uncleanLeaderElectionEnable: (topic: string) => boolean;
  /** KIP-966 eligible leader replicas (on by default here, as in Kafka 4.0). */
  readonly eligibleLeaderReplicasEnabled: boolean;
}

/** A leader elected outside the ISR and ELR: it may lack committed records. The shell logs each at warn. */
export interface UncleanElection {
  readonly topic: string;
  readonly partition: number;
  readonly leader: number;
}

/** Registered, unfenced and not shutting down: may lead and join the ISR (KIP-841). */
export function acceptableBroker(image: MetadataImage, brokerId: number): boolean {
  const b = image.brokers.get(brokerId);
  return b !== undefined && !b.fenced && !b.inControlledShutdown;
}

export function changeContext(
  image: MetadataImage,
  topic: string,
  settings: ElectionSettings,
  uncleanShutdownReplicas?: ReadonlySet<number>,
): PartitionChangeContext {
  return {
    acceptable: (id) => acceptableBroker(image, id),
    minInsyncReplicas: settings.minInsyncReplicas(topic),
    eligibleLeaderReplicasEnabled: settings.eligibleLeaderReplicasEnabled,
    ...(uncleanShutdownReplicas !== undefined && { uncleanShutdownReplicas }),
  };
}

function electionFor(topic: string, settings: ElectionSettings): Election {
  return settings.uncleanLeaderElectionEnable(topic) ? 'unclean' : 'clean';
}

/**
 * A broker was fenced (its session expired) or began a controlled shutdown (Kafka's
 * ReplicationControlManager.handleBrokerFenced / handleBrokerInControlledShutdown): it leaves the
 * ISR of every partition (joining the ELR where that leaves the ISR below min.insync.replicas),
 * and each partition it led gets a new leader from the ISR, else the ELR, in a new leader epoch;
 * with neither, the partition has no leader until one comes back (or, with
 * unclean.leader.election.enable, any live replica is elected and the election reported).
 * The broker's registration change itself is the caller's record, applied before these: the
 * image passed in must already show it fenced or shutting down.
 */
export function brokerUnavailable(
  image: MetadataImage,
  brokerId: number,
  settings: ElectionSettings,
): ControllerResult<{ uncleanElections: UncleanElection[] }> {
  const records: MetadataRecord[] = [];
  const uncleanElections: UncleanElection[] = [];
  forEachPartition(image, (topic, p) => {
    if (!p.isr.includes(brokerId) && p.leader !== brokerId) return;
    const isr = p.isr.filter((r) => r !== brokerId);
    const out = buildPartitionChange(
      topic.topicId,
      p,
      { isr, election: electionFor(topic.name, settings) },
      changeContext(image, topic.name, settings),
    );
    push(records, out.record);
    if (out.unclean)
      uncleanElections.push({ topic: topic.name, partition: p.partitionId, leader: out.leader });
  });
  return { records, response: { uncleanElections } };
}

/**
 * A broker is back (unfenced, registered again): partitions without a leader where it may lead are
 * elected again (Kafka's handleBrokerUnfenced). After an unclean shutdown (`cleanShutdown` false:
 * it may have lost records it had not flushed) it first leaves every ELR and last known ELR
 * (KIP-966), so it is only elected from the ISR, or uncleanly.
 */
export function brokerAvailable(
  image: MetadataImage,
  brokerId: number,
  cleanShutdown: boolean,
  settings: ElectionSettings,
): ControllerResult<{ uncleanElections: UncleanElection[] }> {
  const records: MetadataRecord[] = [];
  const uncleanElections: UncleanElection[] = [];
  const uncleanReplicas = cleanShutdown ? undefined : new Set([brokerId]);
  forEachPartition(image, (topic, p) => {
    if (!p.replicas.includes(brokerId)) return;
    const inElr =
      (p.eligibleLeaderReplicas ?? []).includes(brokerId) || (p.lastKnownElr ?? []).includes(brokerId);
    if (p.leader !== NO_LEADER && !(uncleanReplicas && inElr)) return;
    let state = p;
    if (uncleanReplicas && inElr) {
      const drop = (l: number[] | null | undefined) => (l ?? []).filter((r) => r !== brokerId);
      const elr = drop(p.eligibleLeaderReplicas);
      const lastKnownElr = drop(p.lastKnownElr);
      records.push({ type: 'PartitionChangeRecord', data: elrChange(topic.topicId, p, elr, lastKnownElr) });
      state = { ...p, eligibleLeaderReplicas: elr, lastKnownElr };
    }
    if (state.leader !== NO_LEADER) return;
    const out = buildPartitionChange(
      topic.topicId,
      state,
      { election: electionFor(topic.name, settings) },
      changeContext(image, topic.name, settings, uncleanReplicas),
    );
    push(records, out.record);
    if (out.unclean)
      uncleanElections.push({ topic: topic.name, partition: p.partitionId, leader: out.leader });
  });
  return { records, response: { uncleanElections } };
}

/** ElectLeaders' election types (Kafka's ElectionType). */
export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;

export interface ElectLeadersResult {
  readonly results: { topic: string; partitionId: number; errorCode: number; errorMessage: string | null }[];
  readonly uncleanElections: UncleanElection[];
}

/**
 * ElectLeaders (KIP-460, Kafka's ReplicationControlManager.electLeaders): for each partition asked
 * (null: all), a preferred election makes the first replica the leader if it is in the ISR and may
 * lead (ELECTION_NOT_NEEDED if it leads already, PREFERRED_LEADER_NOT_AVAILABLE if it cannot); an
 * unclean election elects from the ISR, then the ELR, then any live replica, only for a partition
 * without a valid leader (ELECTION_NOT_NEEDED otherwise, ELIGIBLE_LEADERS_NOT_AVAILABLE if no
 * replica is live). Asked for all partitions, those that need nothing are left out of the answer.
 */
export function electLeaders(
  image: MetadataImage,
  electionType: number,
  partitions: readonly { topic: string; partitions: readonly number[] }[] | null,
  settings: ElectionSettings,
): ControllerResult<ElectLeadersResult> {
  const records: MetadataRecord[] = [];
  const results: ElectLeadersResult['results'] = [];
  const uncleanElections: UncleanElection[] = [];
  const wanted: { topic: string; partitionId: number }[] = [];
  if (partitions === null)
    forEachPartition(image, (t, p) => wanted.push({ topic: t.name, partitionId: p.partitionId }));
  else
    for (const t of partitions)
      for (const id of t.partitions) wanted.push({ topic: t.topic, partitionId: id });
  for (const { topic, partitionId } of wanted) {
    const t = image.topic(topic);
    const p = t?.partitions.get(partitionId);
    const answer = (errorCode: number, errorMessage: string | null = null) => {
      if (partitions === null && errorCode === ErrorCode.ELECTION_NOT_NEEDED) return;
      results.push({ topic, partitionId, errorCode, errorMessage });
    };
    if (t === undefined || p === undefined) {
      answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The partition ${topic}-${partitionId} does not exist.`);
      continue;
    }
    const ctx = changeContext(image, topic, settings);
    if (electionType === ElectionType.PREFERRED) {
      const preferred = p.replicas[0]!;
      if (p.leader === preferred) answer(ErrorCode.ELECTION_NOT_NEEDED);
      else if (!p.isr.includes(preferred) || !ctx.acceptable(preferred))
        answer(
          ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
          `Failed to elect leader for partition ${topic}-${partitionId} under strategy PreferredReplicaPartitionLeaderElectionStrategy`,
        );
      else {
        push(records, buildPartitionChange(t.topicId, p, { election: 'preferred' }, ctx).record);
        answer(ErrorCode.NONE);
      }
      continue;
    }
    if (electionType !== ElectionType.UNCLEAN) {
      answer(ErrorCode.INVALID_REQUEST, `Unknown election type ${electionType}`);
      continue;
    }
    if (p.leader !== NO_LEADER && p.isr.includes(p.leader) && ctx.acceptable(p.leader)) {
      answer(ErrorCode.ELECTION_NOT_NEEDED);
      continue;
    }
    const out = buildPartitionChange(t.topicId, p, { election: 'unclean' }, ctx);
    if (out.leader === NO_LEADER) {
      answer(
        ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
        `Failed to elect leader for partition ${topic}-${partitionId} under strategy UncleanLeaderElectionStrategy`,
      );
      continue;
    }
    push(records, out.record);
    if (out.unclean) uncleanElections.push({ topic, partition: partitionId, leader: out.leader });
    answer(ErrorCode.NONE);
  }
  return { records, response: { results, uncleanElections } };
}

function forEachPartition(image: MetadataImage, fn: (t: TopicImage, p: PartitionState) => void): void {
  for (const t of image.topicsById.values()) for (const p of t.partitions.values()) fn(t, p);
}

function push(records: MetadataRecord[], r: PartitionChangeRecordData | null): void {
  if (r !== null) records.push({ type: 'PartitionChangeRecord', data: r });
}

function elrChange(
  topicId: string,
  p: PartitionState,
  elr: number[],
  lastKnownElr: number[],
): PartitionChangeRecordData {
  return {
    partitionId: p.partitionId,
    topicId,
    isr: null,
    leader: -2,
    replicas: null,
    removingReplicas: null,
    addingReplicas: null,
    leaderRecoveryState: -1,
    directories: null,
    eligibleLeaderReplicas: elr,
    lastKnownElr,
  };
}
