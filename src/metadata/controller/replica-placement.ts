import type { Random } from '../../common/random.js';

/**
 * Chooses replicas for new partitions across the usable brokers, striped like Kafka's
 * StripedReplicaPlacer: a random starting broker, then round robin, so leaders spread evenly.
 * Returns null when fewer brokers are usable than the replication factor asks for.
 */
export function placeReplicas(
  brokers: readonly number[],
  firstPartition: number,
  partitionCount: number,
  replicationFactor: number,
  random: Random,
): number[][] | null {
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
