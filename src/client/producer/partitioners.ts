import { murmur2, toPositive } from './murmur2.js';

/** What a partitioner sees of one record. */
export interface PartitionerInput {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  /** The partition count from the latest metadata. */
  partitionCount: number;
  /** Partitions whose leader is known, for choosing among available ones. */
  availablePartitions: readonly number[];
}

/** Picks a partition for a record with no explicit partition. */
export type Partitioner = (input: PartitionerInput) => number;

function randomInt(n: number): number {
  return Math.floor(Math.random() * n);
}

/** Java's default for keyed records: toPositive(murmur2(key)) % numPartitions. */
export function murmur2Partition(key: Uint8Array, partitionCount: number): number {
  return toPositive(murmur2(key)) % partitionCount;
}

/**
 * Sticky partitioning for null keys (KIP-480): stay on one partition until its batch is sent,
 * then switch at random among the available ones, so null-key records fill batches instead of
 * scattering one record per partition.
 */
class StickyChooser {
  private readonly current = new Map<string, number>();

  choose(topic: string, partitionCount: number, available: readonly number[]): number {
    const p = this.current.get(topic);
    if (p !== undefined && p < partitionCount) return p;
    return this.next(topic, partitionCount, available, -1);
  }

  next(topic: string, partitionCount: number, available: readonly number[], previous: number): number {
    const pool = available.length > 0 ? available : Array.from({ length: partitionCount }, (_, i) => i);
    let chosen = pool[randomInt(pool.length)]!;
    if (pool.length > 1) while (chosen === previous) chosen = pool[randomInt(pool.length)]!;
    this.current.set(topic, chosen);
    return chosen;
  }
}

type StatefulPartitioner = Partitioner & {
  onNewBatch(topic: string, partitionCount: number, previous: number): void;
};

function sticky(keyed: (key: Buffer, input: PartitionerInput) => number): StatefulPartitioner {
  const chooser = new StickyChooser();
  const partition = ((input: PartitionerInput) =>
    input.key !== null
      ? keyed(input.key, input)
      : chooser.choose(input.topic, input.partitionCount, input.availablePartitions)) as StatefulPartitioner;
  partition.onNewBatch = (topic, partitionCount, previous) => {
    chooser.next(topic, partitionCount, [], previous);
  };
  return partition;
}

/** The Java client's default: murmur2 for keys, sticky for null keys. */
export function defaultPartitioner(): StatefulPartitioner {
  return sticky((key, input) => murmur2Partition(key, input.partitionCount));
}

/** librdkafka's `murmur2_random`: murmur2 for keys (Java-compatible), random for null keys. */
export function murmur2RandomPartitioner(): Partitioner {
  return (input) =>
    input.key !== null ? murmur2Partition(input.key, input.partitionCount) : randomInt(input.partitionCount);
}

/** Round robin over all partitions, ignoring keys. */
export function roundRobinPartitioner(): Partitioner {
  const counters = new Map<string, number>();
  return (input) => {
    const n = counters.get(input.topic) ?? 0;
    counters.set(input.topic, n + 1);
    return n % input.partitionCount;
  };
}

export type PartitionerName = 'default' | 'murmur2' | 'murmur2_random' | 'round_robin';

export function namedPartitioner(name: PartitionerName): Partitioner {
  switch (name) {
    case 'default':
    case 'murmur2':
      return defaultPartitioner();
    case 'murmur2_random':
      return murmur2RandomPartitioner();
    case 'round_robin':
      return roundRobinPartitioner();
  }
}
