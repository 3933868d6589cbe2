import type { ClassicGroup } from './classic-group.js';
import type { CoordinatorState } from './coordinator-state.js';
import type { GroupRecord, OffsetCommitValue } from './group-record-codec.js';

/**
 * The periodic offsets.retention.minutes sweep (Kafka's cleanupGroupMetadata): expires the
 * offsets a group no longer needs and deletes empty groups left without offsets.
 */
export function expireOffsets(s: CoordinatorState): void {
  const nowMs = s.nowMs();
  const byPartition = new Map<number, GroupRecord[]>();
  for (const group of [...s.groups.values()]) {
    if (s.partitions.get(group.partition) !== 'active') continue;
    const records: GroupRecord[] = [];
    const allExpired = expiredOffsets(s, group, nowMs, records);
    if (allExpired && group.is('Empty')) {
      records.push({ type: 'GroupMetadata', key: { group: group.groupId }, value: null });
    }
    if (records.length === 0) continue;
    const list = byPartition.get(group.partition) ?? [];
    list.push(...records);
    byPartition.set(group.partition, list);
  }
  for (const [partition, records] of byPartition) s.append(partition, records);
}

/** Adds tombstones for the group's expired offsets; true when none remain. */
function expiredOffsets(
  s: CoordinatorState,
  group: ClassicGroup,
  nowMs: number,
  out: GroupRecord[],
): boolean {
  const offsets = s.offsets.ofGroup(group.groupId);
  if (offsets.size === 0) return true;
  const base = expirationBase(group);
  if (base === null) return false;
  const retentionMs = s.config.offsetsRetentionMs;
  let allExpired = true;
  for (const [topic, partitions] of offsets) {
    if (group.isSubscribedToTopic(topic)) {
      allExpired = false;
      continue;
    }
    for (const [partition, v] of partitions) {
      const expired =
        v.expireTimestamp >= 0n ? nowMs >= Number(v.expireTimestamp) : nowMs - base(v) >= retentionMs;
      if (expired)
        out.push({ type: 'OffsetCommit', key: { group: group.groupId, topic, partition }, value: null });
      else allExpired = false;
    }
  }
  return allExpired;
}

/**
 * When an offset's retention starts (KIP-211): for an empty group, when it became empty; for a
 * group without a protocol (manual assignment), at the commit; for a stable consumer group, at
 * the commit but only for topics it no longer subscribes to; otherwise never.
 */
function expirationBase(group: ClassicGroup): ((v: OffsetCommitValue) => number) | null {
  if (group.protocolType === null) return (v) => Number(v.commitTimestamp);
  if (group.is('Empty')) return (v) => group.currentStateTimestampMs ?? Number(v.commitTimestamp);
  if (group.usesConsumerProtocol() && group.subscribedTopics !== null && group.is('Stable')) {
    return (v) => Number(v.commitTimestamp);
  }
  return null;
}
