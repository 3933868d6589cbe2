import type { Subscription, TopicPartitions } from '../../../protocol/consumer-protocol.js';

/** One member of a group as the leader sees it in the JoinGroup response. */
export interface MemberSubscription {
  memberId: string;
  groupInstanceId: string | null;
  subscription: Subscription;
}

/**
 * A partition assignment strategy run by the group leader (ConsumerPartitionAssignor).
 * `eager` members give up everything before each rebalance; `cooperative` ones keep what they
 * still own and only revoke what moves (KIP-429).
 */
export interface Assignor {
  readonly name: string;
  readonly protocol: 'eager' | 'cooperative';
  /** Member id to its partitions; every member appears, possibly with nothing. */
  assign(
    members: readonly MemberSubscription[],
    partitionsPerTopic: ReadonlyMap<string, number>,
  ): Map<string, TopicPartitions>;
}

/** Java orders members by group instance id when static, else member id (MemberInfo.compareTo). */
export function compareMembers(a: MemberSubscription, b: MemberSubscription): number {
  const ka = a.groupInstanceId ?? a.memberId;
  const kb = b.groupInstanceId ?? b.memberId;
  if (a.groupInstanceId !== null && b.groupInstanceId === null) return -1;
  if (a.groupInstanceId === null && b.groupInstanceId !== null) return 1;
  return ka < kb ? -1 : ka > kb ? 1 : a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
}

export function addPartition(tp: TopicPartitions, topic: string, partition: number): void {
  const list = tp.get(topic);
  if (list) list.push(partition);
  else tp.set(topic, [partition]);
}

export function emptyAssignment(members: readonly MemberSubscription[]): Map<string, TopicPartitions> {
  return new Map(members.map((m) => [m.memberId, new Map()]));
}
