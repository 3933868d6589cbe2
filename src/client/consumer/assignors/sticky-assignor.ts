import type { TopicPartitions } from '../../../protocol/consumer-protocol.js';
import {
  type Assignor,
  addPartition,
  compareMembers,
  emptyAssignment,
  type MemberSubscription,
} from './assignor.js';

type Owners = Map<string, string>;

function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function splitKey(key: string): [string, number] {
  const i = key.indexOf('\u0000');
  return [key.slice(0, i), Number(key.slice(i + 1))];
}

/**
 * The owner each member claims from its subscription's owned partitions (v1+). When two members
 * claim one partition, the newer generation wins (KIP-792), as in AbstractStickyAssignor.
 */
function previousOwners(
  members: readonly MemberSubscription[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): Owners {
  const owners: Owners = new Map();
  const byGeneration = [...members].sort(
    (a, b) => b.subscription.generationId - a.subscription.generationId || compareMembers(a, b),
  );
  for (const m of byGeneration) {
    for (const [topic, partitions] of m.subscription.ownedPartitions) {
      const count = partitionsPerTopic.get(topic);
      if (count === undefined || !m.subscription.topics.includes(topic)) continue;
      for (const p of partitions) {
        const k = tpKey(topic, p);
        if (p < count && !owners.has(k)) owners.set(k, m.memberId);
      }
    }
  }
  return owners;
}

/**
 * Balanced and sticky: members keep what they owned up to their fair share; the rest goes to the
 * least loaded members subscribed to it; then partitions move from the most to the least loaded
 * until no eligible pair differs by more than one.
 */
function stickyAssign(
  members: readonly MemberSubscription[],
  partitionsPerTopic: ReadonlyMap<string, number>,
  owners: Owners,
): Map<string, Set<string>> {
  const sorted = [...members].sort(compareMembers);
  const load = new Map<string, Set<string>>(sorted.map((m) => [m.memberId, new Set()]));
  const eligible = new Map<string, MemberSubscription[]>();
  const all: string[] = [];
  for (const topic of [...partitionsPerTopic.keys()].sort()) {
    const subs = sorted.filter((m) => m.subscription.topics.includes(topic));
    if (subs.length === 0) continue;
    eligible.set(topic, subs);
    for (let p = 0; p < partitionsPerTopic.get(topic)!; p++) all.push(tpKey(topic, p));
  }
  if (sorted.length === 0) return load;
  const quota = Math.ceil(all.length / sorted.length);
  const unassigned: string[] = [];
  for (const k of all) {
    const owner = owners.get(k);
    const mine = owner === undefined ? undefined : load.get(owner);
    if (mine && mine.size < quota) mine.add(k);
    else unassigned.push(k);
  }
  for (const k of unassigned) {
    const subs = eligible.get(splitKey(k)[0])!;
    let best = subs[0]!;
    for (const m of subs) if (load.get(m.memberId)!.size < load.get(best.memberId)!.size) best = m;
    load.get(best.memberId)!.add(k);
  }
  balance(sorted, load, eligible, all.length);
  return load;
}

function balance(
  sorted: readonly MemberSubscription[],
  load: Map<string, Set<string>>,
  eligible: Map<string, MemberSubscription[]>,
  partitionCount: number,
): void {
  for (let moves = 0; moves < partitionCount * sorted.length; moves++) {
    const byLoad = [...sorted].sort((a, b) => load.get(b.memberId)!.size - load.get(a.memberId)!.size);
    let moved = false;
    for (const from of byLoad) {
      const fromSet = load.get(from.memberId)!;
      for (const k of fromSet) {
        const subs = eligible.get(splitKey(k)[0])!;
        let to: MemberSubscription | null = null;
        for (const m of subs) {
          if (
            load.get(m.memberId)!.size + 1 < fromSet.size &&
            (!to || load.get(m.memberId)!.size < load.get(to.memberId)!.size)
          )
            to = m;
        }
        if (to) {
          fromSet.delete(k);
          load.get(to.memberId)!.add(k);
          moved = true;
          break;
        }
      }
      if (moved) break;
    }
    if (!moved) return;
  }
}

function toAssignment(
  members: readonly MemberSubscription[],
  load: Map<string, Set<string>>,
): Map<string, TopicPartitions> {
  const out = emptyAssignment(members);
  for (const [memberId, keys] of load) {
    const tp = out.get(memberId)!;
    for (const k of [...keys].sort()) {
      const [topic, p] = splitKey(k);
      addPartition(tp, topic, p);
    }
    for (const list of tp.values()) list.sort((a, b) => a - b);
  }
  return out;
}

/** Kafka's StickyAssignor (KIP-54), eager: stickiness only saves state rebuilt after the move. */
export const stickyAssignor: Assignor = {
  name: 'sticky',
  protocol: 'eager',
  assign(members, partitionsPerTopic) {
    const owners = previousOwners(members, partitionsPerTopic);
    return toAssignment(members, stickyAssign(members, partitionsPerTopic, owners));
  },
};

/**
 * Kafka's CooperativeStickyAssignor (KIP-429): as sticky, but a partition moving between members
 * is left out of this generation, so its owner revokes it first and a follow-up rebalance hands it
 * over; no partition is ever owned by two members at once.
 */
export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  protocol: 'cooperative',
  assign(members, partitionsPerTopic) {
    const owners = previousOwners(members, partitionsPerTopic);
    const load = stickyAssign(members, partitionsPerTopic, owners);
    for (const [memberId, keys] of load) {
      for (const k of [...keys]) {
        const owner = owners.get(k);
        if (owner !== undefined && owner !== memberId) keys.delete(k);
      }
    }
    return toAssignment(members, load);
  },
};
