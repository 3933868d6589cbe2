import type { RecordHeader } from '../../protocol/records/record.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** One record as the consumer returns it. */
export interface ConsumerRecord {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  leaderEpoch: number;
}

/**
 * Records of one fetch response for one partition, handed out a slice at a time. They are decoded
 * one batch at a time as the application reaches them, not when the response arrives: the fetch
 * loop asks for the next response before spending time on this one (the broker prepares it
 * meanwhile), and only one decompressed batch per partition is held beyond what the application
 * keeps (a 1 MiB response of lz4 batches can hold tens of MB of records).
 */
interface Chunk {
  /** Decodes the response's next batch; null once every batch is decoded. */
  decodeNext: () => DecodedRecords | null;
  /** The records of the batch decoded last, handed out from `next`. */
  records: ConsumerRecord[];
  next: number;
  /** Set when decoding stopped at a corrupt batch; thrown once `records` are handed out. */
  error: Error | null;
  bytes: number;
  /** The fetch position after this response: where the partition stands once it is all taken. */
  endOffset: bigint;
}

/** What one batch decodes to: its records, or the error that makes it unreadable. */
export interface DecodedRecords {
  records: ConsumerRecord[];
  error: Error | null;
}

const NO_RECORDS: ConsumerRecord[] = [];

/** What the consumer tracks for one assigned partition. */
export class PartitionState {
  /** The next offset to fetch (past anything buffered); null until resolved from a commit or reset. */
  fetchPosition: bigint | null = null;
  /** The offset after the last record handed to the application: what a commit stores. */
  position: bigint | null = null;
  leaderEpoch = -1;
  paused = false;
  readonly chunks: Chunk[] = [];
  bufferedBytes = 0;
  /** Bumped by seek, so fetch responses asked for before it are dropped. */
  seekEpoch = 0;
  /** From the last fetch response, -1 before one: the ends lag is measured to. */
  highWatermark = -1n;
  lastStableOffset = -1n;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  get key(): string {
    return tpKey(this.topic, this.partition);
  }
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * Assigned partitions, their positions and the prefetch buffer, bounded in bytes: fetchers stop
 * asking while `bufferedBytes` is over the bound, and resume when the application drains it.
 */
export class SubscriptionState {
  readonly partitions = new Map<string, PartitionState>();
  bufferedBytes = 0;
  private roundRobin = 0;

  get(topic: string, partition: number): PartitionState | undefined {
    return this.partitions.get(tpKey(topic, partition));
  }

  assigned(): TopicPartition[] {
    return [...this.partitions.values()].map((p) => ({ topic: p.topic, partition: p.partition }));
  }

  add(topic: string, partition: number): PartitionState {
    const k = tpKey(topic, partition);
    let s = this.partitions.get(k);
    if (!s) {
      s = new PartitionState(topic, partition);
      this.partitions.set(k, s);
    }
    return s;
  }

  remove(topic: string, partition: number): void {
    const s = this.partitions.get(tpKey(topic, partition));
    if (!s) return;
    this.clearBuffer(s);
    this.partitions.delete(s.key);
  }

  clearBuffer(s: PartitionState): void {
    this.bufferedBytes -= s.bufferedBytes;
    s.bufferedBytes = 0;
    s.chunks.length = 0;
  }

  seek(s: PartitionState, offset: bigint): void {
    this.clearBuffer(s);
    s.fetchPosition = offset;
    s.position = offset;
    s.seekEpoch++;
  }

  /** Buffers a fetch response's records, decoded batch by batch by `decodeNext` as they are taken. */
  buffer(s: PartitionState, decodeNext: () => DecodedRecords | null, bytes: number, endOffset: bigint): void {
    s.chunks.push({ decodeNext, records: NO_RECORDS, next: 0, error: null, bytes, endOffset });
    s.bufferedBytes += bytes;
    this.bufferedBytes += bytes;
  }

  /**
   * Up to `max` buffered records of unpaused partitions, taking partitions in turn for fairness.
   * Records that fail to decode (a corrupt batch) throw here, as the Java consumer's poll does,
   * once the records before them have been handed out; the failing chunk stays, so every later
   * call throws again until the application seeks past it.
   */
  take(max: number): ConsumerRecord[] {
    const out: ConsumerRecord[] = [];
    const states = [...this.partitions.values()];
    if (states.length === 0) return out;
    const start = this.roundRobin++ % states.length;
    for (let i = 0; i < states.length && out.length < max; i++) {
      const s = states[(start + i) % states.length]!;
      if (s.paused) continue;
      while (s.chunks.length > 0 && out.length < max) {
        const c = s.chunks[0]!;
        if (c.next === c.records.length) {
          if (c.error) {
            if (out.length === 0) throw c.error;
            break;
          }
          const decoded = c.decodeNext();
          if (decoded === null) {
            s.chunks.shift();
            s.bufferedBytes -= c.bytes;
            this.bufferedBytes -= c.bytes;
            // Past what the response held: markers and aborted batches after the last record
            // returned are behind the position too, as in the Java consumer.
            if (s.position === null || c.endOffset > s.position) s.position = c.endOffset;
          } else {
            c.records = decoded.records;
            c.next = 0;
            c.error = decoded.error;
          }
          continue;
        }
        const n = Math.min(max - out.length, c.records.length - c.next);
        for (let j = 0; j < n; j++) out.push(c.records[c.next + j]!);
        c.next += n;
      }
      const last = out[out.length - 1];
      if (last && last.topic === s.topic && last.partition === s.partition) {
        if (s.position === null || last.offset + 1n > s.position) s.position = last.offset + 1n;
      }
    }
    return out;
  }

  hasBuffered(): boolean {
    for (const s of this.partitions.values()) if (!s.paused && s.chunks.length > 0) return true;
    return false;
  }
}
