import type { OffsetCommitValue } from './group-record-codec.js';

/** Committed offsets by group, topic and partition: the coordinator's view of the OffsetCommit records. */
export class OffsetStore {
  private readonly byGroup = new Map<string, Map<string, Map<number, OffsetCommitValue>>>();
  private count = 0;

  /** The number of committed offsets held, over all groups. */
  get size(): number {
    return this.count;
  }

  get(group: string, topic: string, partition: number): OffsetCommitValue | undefined {
    return this.byGroup.get(group)?.get(topic)?.get(partition);
  }

  put(group: string, topic: string, partition: number, value: OffsetCommitValue): void {
    let topics = this.byGroup.get(group);
    if (!topics) {
      topics = new Map();
      this.byGroup.set(group, topics);
    }
    let partitions = topics.get(topic);
    if (!partitions) {
      partitions = new Map();
      topics.set(topic, partitions);
    }
    if (!partitions.has(partition)) this.count++;
    partitions.set(partition, value);
  }

  remove(group: string, topic: string, partition: number): boolean {
    const topics = this.byGroup.get(group);
    const partitions = topics?.get(topic);
    if (!topics || !partitions?.delete(partition)) return false;
    this.count--;
    if (partitions.size === 0) topics.delete(topic);
    if (topics.size === 0) this.byGroup.delete(group);
    return true;
  }

  /** The group's offsets as topic → partition → value; empty when it has none. */
  ofGroup(group: string): ReadonlyMap<string, ReadonlyMap<number, OffsetCommitValue>> {
    return this.byGroup.get(group) ?? new Map();
  }

  /** The groups that hold committed offsets, with theirs as topic → partition → value. */
  groups(): IterableIterator<[string, ReadonlyMap<string, ReadonlyMap<number, OffsetCommitValue>>]> {
    return this.byGroup.entries();
  }

  hasGroup(group: string): boolean {
    return this.byGroup.has(group);
  }
}
