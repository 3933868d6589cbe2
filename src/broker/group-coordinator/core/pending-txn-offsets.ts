import type { OffsetCommitValue } from './group-record-codec.js';

/** A transactional offset commit waiting for its transaction's marker. */
export interface PendingTxnOffset {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly value: OffsetCommitValue;
  /** Its place among the partition's offset commits in log order (see CoordinatorState.commitOrder). */
  readonly order: number;
}

/**
 * Offsets committed by TxnOffsetCommit and not yet visible: kept per producer id until a COMMIT
 * marker makes them the group's committed offsets or an ABORT marker drops them (Kafka's
 * GroupMetadata.pendingTransactionalOffsetCommits / OffsetMetadataManager.pendingTransactionalOffsets).
 */
export class PendingTxnOffsets {
  private readonly byProducer = new Map<bigint, Map<string, PendingTxnOffset>>();

  put(producerId: bigint, o: PendingTxnOffset): void {
    let m = this.byProducer.get(producerId);
    if (!m) {
      m = new Map();
      this.byProducer.set(producerId, m);
    }
    m.set(key(o.group, o.topic, o.partition), o);
  }

  /** True when some transaction holds an offset of this group's topic partition (OffsetFetch require_stable). */
  has(group: string, topic: string, partition: number): boolean {
    const k = key(group, topic, partition);
    for (const m of this.byProducer.values()) if (m.has(k)) return true;
    return false;
  }

  hasGroup(group: string): boolean {
    for (const m of this.byProducer.values()) for (const o of m.values()) if (o.group === group) return true;
    return false;
  }

  /** Removes and returns the producer's pending offsets of the groups `inScope` selects. */
  take(producerId: bigint, inScope: (group: string) => boolean): PendingTxnOffset[] {
    const m = this.byProducer.get(producerId);
    if (!m) return [];
    const out: PendingTxnOffset[] = [];
    for (const [k, o] of m) {
      if (!inScope(o.group)) continue;
      out.push(o);
      m.delete(k);
    }
    if (m.size === 0) this.byProducer.delete(producerId);
    return out;
  }

  /** Forgets every pending offset of the groups `inScope` selects (their partition was unloaded or deleted). */
  drop(inScope: (group: string) => boolean): void {
    for (const producerId of [...this.byProducer.keys()]) this.take(producerId, inScope);
  }
}

function key(group: string, topic: string, partition: number): string {
  return `${group}\u0000${topic}\u0000${partition}`;
}
