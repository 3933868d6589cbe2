import type { PartitionChangeRecordData, PartitionState } from '../metadata-image.js';

/** PartitionChangeRecord's Leader: -2 unchanged, -1 no leader. */
export const LEADER_UNCHANGED = -2;
export const NO_LEADER = -1;
/** LeaderRecoveryState: 0 recovered, 1 recovering (an unclean leader, KIP-704); -1 in a change: unchanged. */
export const RECOVERED = 0;
export const RECOVERING = 1;

/** How a new leader may be chosen (Kafka's PartitionChangeBuilder.Election). */
export type Election = 'preferred' | 'clean' | 'unclean';

/** What the controller knows about the cluster and topic when it changes a partition. */
export interface PartitionChangeContext {
  /** Whether the broker may lead or join the ISR: registered, unfenced, not in controlled shutdown. */
  readonly acceptable: (brokerId: number) => boolean;
  /** The topic's min.insync.replicas. */
  readonly minInsyncReplicas: number;
  /** KIP-966 on (the default here, as in Kafka 4.0): ISR members leaving below min.insync.replicas join the ELR. */
  readonly eligibleLeaderReplicasEnabled: boolean;
  /** Brokers that came back after an unclean shutdown: they may have lost records, so they leave the ELR. */
  readonly uncleanShutdownReplicas?: ReadonlySet<number>;
}

export interface PartitionChangeOutcome {
  /** The record to append, or null when nothing changes. */
  readonly record: PartitionChangeRecordData | null;
  /** True when the leader was elected uncleanly (outside the ISR and ELR): the caller logs it. */
  readonly unclean: boolean;
  readonly leader: number;
  readonly isr: readonly number[];
  readonly eligibleLeaderReplicas: readonly number[];
}

/**
 * Kafka's PartitionChangeBuilder (KRaft, with KIP-966): from a partition and a target ISR, the
 * PartitionChangeRecord that moves it there, electing a leader when the current one can no longer
 * lead. Fields that do not change stay null (-2 for the leader), as Kafka writes them, so an image
 * replaying the record bumps the leader epoch only when the leader changes.
 *
 * - Election: the current leader stays while it is in the target ISR and acceptable (except for a
 *   preferred election); otherwise the first acceptable replica (in replica order) of the target
 *   ISR; with none, the first acceptable member of the ELR, which becomes the whole ISR; with none,
 *   and `unclean` allowed, the first acceptable replica at all, whose ISR is itself and whose
 *   recovery state is RECOVERING; else no leader.
 * - ELR (KIP-966): while the ISR is at least min.insync.replicas, ELR and last known ELR are empty;
 *   below it, the members leaving the ISR join the ELR (those that shut down uncleanly excepted),
 *   and the last known ELR keeps the others that were eligible once.
 */
export function buildPartitionChange(
  topicId: string,
  p: PartitionState,
  target: { isr?: readonly number[]; election: Election },
  ctx: PartitionChangeContext,
): PartitionChangeOutcome {
  let targetIsr = [...(target.isr ?? p.isr)];
  let targetElr = [...(p.eligibleLeaderReplicas ?? [])];
  let targetLastKnownElr = [...(p.lastKnownElr ?? [])];
  let leader = p.leader;
  let unclean = false;
  let recovery = -1;

  const electable = (id: number) => ctx.acceptable(id) && p.replicas.includes(id);
  const mustElect =
    target.election === 'preferred'
      ? p.replicas[0] !== p.leader && targetIsr.includes(p.replicas[0]!) && electable(p.replicas[0]!)
      : leader === NO_LEADER || !targetIsr.includes(leader) || !electable(leader);
  if (mustElect) {
    const fromIsr =
      target.election === 'preferred'
        ? p.replicas[0]!
        : p.replicas.find((r) => targetIsr.includes(r) && electable(r));
    const fromElr = ctx.eligibleLeaderReplicasEnabled ? targetElr.find((r) => electable(r)) : undefined;
    if (fromIsr !== undefined) leader = fromIsr;
    else if (fromElr !== undefined) {
      // KIP-966: an ELR member has every committed record; it leads alone until others catch up.
      leader = fromElr;
      targetIsr = [fromElr];
      targetElr = targetElr.filter((r) => r !== fromElr);
    } else if (target.election === 'unclean') {
      const any = p.replicas.find((r) => electable(r));
      if (any !== undefined) {
        leader = any;
        targetIsr = [any];
        unclean = true;
        recovery = RECOVERING;
      } else leader = NO_LEADER;
    } else leader = NO_LEADER;
  }
  // Without a leader the ISR keeps its last member unless the ELR can hold it (Kafka keeps the ISR non-empty before KIP-966).
  if (!ctx.eligibleLeaderReplicasEnabled && targetIsr.length === 0) targetIsr = [...p.isr];

  if (ctx.eligibleLeaderReplicasEnabled) {
    // Kafka's populateTargetElr.
    if (targetIsr.length >= ctx.minInsyncReplicas) {
      targetElr = [];
      targetLastKnownElr = [];
    } else {
      const candidates = new Set([...targetElr, ...p.isr]);
      const unclean = ctx.uncleanShutdownReplicas;
      targetElr = [...candidates].filter((r) => !targetIsr.includes(r) && !(unclean?.has(r) ?? false));
      for (const r of targetLastKnownElr) candidates.add(r);
      targetLastKnownElr = [...candidates].filter((r) => !targetIsr.includes(r) && !targetElr.includes(r));
    }
  }

  const isrChanged = !sameList(targetIsr, p.isr);
  const elrChanged = !sameList(targetElr, p.eligibleLeaderReplicas ?? []);
  const lastKnownChanged = !sameList(targetLastKnownElr, p.lastKnownElr ?? []);
  const leaderChanged = leader !== p.leader;
  if (leaderChanged && !unclean && p.leaderRecoveryState === RECOVERING) recovery = RECOVERED;
  const outcome = { unclean, leader, isr: targetIsr, eligibleLeaderReplicas: targetElr };
  if (!isrChanged && !elrChanged && !lastKnownChanged && !leaderChanged && recovery === -1)
    return { ...outcome, record: null };
  return {
    ...outcome,
    record: {
      partitionId: p.partitionId,
      topicId,
      isr: isrChanged ? targetIsr : null,
      leader: leaderChanged ? leader : LEADER_UNCHANGED,
      replicas: null,
      removingReplicas: null,
      addingReplicas: null,
      leaderRecoveryState: recovery,
      directories: null,
      eligibleLeaderReplicas: elrChanged ? targetElr : null,
      lastKnownElr: lastKnownChanged ? targetLastKnownElr : null,
    },
  };
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
