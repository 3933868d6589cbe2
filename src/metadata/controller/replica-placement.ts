import type { Random } from '../../common/random.js';

/**
 * Chooses replicas for new partitions across the usable brokers, striped like Kafka's
 * StripedReplicaPlacer: a random starting broker, then round robin, so leaders spread evenly.
 * When brokers name their racks (`broker.rack`), replicas are spread across racks first
 * (placeAcrossRacks); without racks that goal is a no-op, as in Kafka.
 * Returns null when fewer brokers are usable than the replication factor asks for.
 */
export function placeReplicas(
  brokers: readonly number[],
  firstPartition: number,
  partitionCount: number,
  replicationFactor: number,
  random: Random,
  rackOf: (brokerId: number) => string | null = () => null,
): number[][] | null {
  if (replicationFactor > brokers.length || brokers.length === 0) return null;
  if (brokers.some((b) => rackOf(b) !== null)) {
    return placeAcrossRacks(brokers, firstPartition, partitionCount, replicationFactor, random, rackOf);
  }
  const sorted = [...brokers].sort((a, b) => a - b);
  if (replicationFactor > sorted.length || sorted.length === 0) return null;
  const start = random.int(sorted.length);
  const shift = sorted.length > 1 ? 1 + random.int(sorted.length - 1) : 0;
  const out: number[][] = [];
  for (let p = firstPartition; p < firstPartition + partitionCount; p++) {
    const leaderIndex = (start + p) % sorted.length;
    const replicas = [sorted[leaderIndex]!];
    for (let r = 1; r < replicationFactor; r++) {
      // Followers step by a per-call shift so that the same pairs do not always share partitions.
      const idx = (leaderIndex + r * shift + Math.floor(p / sorted.length)) % sorted.length;
      let candidate = sorted[idx]!;
      let k = 0;
      while (replicas.includes(candidate)) candidate = sorted[(idx + ++k) % sorted.length]!;
      replicas.push(candidate);
    }
    out.push(replicas);
  }
  return out;
}

/** A rack's brokers, sorted, taken round robin from a random start: leaders and followers apart. */
interface RackCursor {
  readonly brokers: number[];
  nextLeader: number;
  nextFollower: number;
}

/**
 * Rack-aware striping, Kafka's StripedReplicaPlacer's first goal: racks sorted by name (brokers
 * without a rack form one rack, first), each partition's leader taken from the next rack in turn
 * (from a random starting rack, so partition p starts at rack start + p) and each follower from
 * the racks after it, so a partition has replicas in min(replication factor, racks) racks. Within
 * a rack, leaders and followers are each taken round robin from a random start, so leaders spread
 * evenly across the brokers of equal racks. Racks of unequal sizes load their brokers unequally, as in Kafka
 * (racks are meant to be about the same size).
 */
function placeAcrossRacks(
  brokers: readonly number[],
  firstPartition: number,
  partitionCount: number,
  replicationFactor: number,
  random: Random,
  rackOf: (brokerId: number) => string | null,
): number[][] {
  const byRack = new Map<string | null, number[]>();
  for (const b of brokers) {
    const rack = rackOf(b);
    const list = byRack.get(rack) ?? [];
    list.push(b);
    byRack.set(rack, list);
  }
  const names = [...byRack.keys()].sort((a, b) =>
    a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1,
  );
  const racks: RackCursor[] = names.map((n) => {
    const list = byRack.get(n)!.sort((a, b) => a - b);
    const first = random.int(list.length);
    return { brokers: list, nextLeader: first, nextFollower: first + 1 };
  });
  const start = random.int(racks.length);
  const out: number[][] = [];
  for (let p = firstPartition; p < firstPartition + partitionCount; p++) {
    const leaderRack = racks[(start + p) % racks.length]!;
    const replicas = [leaderRack.brokers[leaderRack.nextLeader++ % leaderRack.brokers.length]!];
    // Then the racks after the leader's, one broker per rack per pass, until enough replicas.
    for (let step = 1; replicas.length < replicationFactor; step++) {
      const rack = racks[(start + p + step) % racks.length]!;
      for (let tried = 0; tried < rack.brokers.length; tried++) {
        const candidate = rack.brokers[rack.nextFollower++ % rack.brokers.length]!;
        if (!replicas.includes(candidate)) {
          replicas.push(candidate);
          break;
        }
      }
    }
    out.push(replicas);
  }
  return out;
}
