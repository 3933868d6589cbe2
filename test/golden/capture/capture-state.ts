import { createHash } from 'node:crypto';
import {
  BatchOffsets,
  setBaseOffset,
  splitBatches,
} from '../../../src/protocol/records/record-batch-header.js';

/** A stored run of records: a v2 batch, or one legacy (magic 0/1) message with its offset rewritten. */
export interface StoredBatch {
  baseOffset: bigint;
  lastOffset: bigint;
  bytes: Buffer;
}

export interface CaptureTopic {
  name: string;
  topicId: string;
  /** One log per partition. */
  partitions: StoredBatch[][];
}

export interface CaptureGroup {
  generationId: number;
  /** Assignments the leader sent in SyncGroup, by member id. */
  assignments: Map<string, Buffer>;
  /** Committed offsets by "topic/partition". */
  committed: Map<string, bigint>;
}

/** Legacy message set entry: offset (8) + message size (4), then the message. */
const LEGACY_ENTRY_OVERHEAD = 12;

/**
 * What the capture broker remembers: topics with their records, groups, producer ids.
 * Topics are created on first mention, as with `auto.create.topics.enable=true`, so any client
 * scenario can proceed without an admin step.
 */
export class CaptureState {
  readonly topics = new Map<string, CaptureTopic>();
  readonly groups = new Map<string, CaptureGroup>();
  readonly clusterId = 'strom-capture';
  readonly nodeId = 1;
  private nextProducerId = 1000n;
  private nextMemberId = 1;

  constructor(
    readonly host: string,
    public port: number,
    readonly partitionsPerTopic: number,
  ) {}

  topic(name: string, partitions = this.partitionsPerTopic): CaptureTopic {
    let t = this.topics.get(name);
    if (t === undefined) {
      const count = partitions > 0 ? partitions : this.partitionsPerTopic;
      t = { name, topicId: topicIdFor(name), partitions: Array.from({ length: count }, () => []) };
      this.topics.set(name, t);
    }
    return t;
  }

  topicById(topicId: string): CaptureTopic | undefined {
    for (const t of this.topics.values()) if (t.topicId === topicId) return t;
    return undefined;
  }

  group(groupId: string): CaptureGroup {
    let g = this.groups.get(groupId);
    if (g === undefined) {
      g = { generationId: 0, assignments: new Map(), committed: new Map() };
      this.groups.set(groupId, g);
    }
    return g;
  }

  newProducerId(): bigint {
    return this.nextProducerId++;
  }

  newMemberId(clientId: string | null): string {
    return `${clientId ?? 'member'}-${this.nextMemberId++}`;
  }
}

/** A stable topic id derived from the name, so captured Fetch v13+ frames do not change between runs. */
export function topicIdFor(name: string): string {
  return createHash('sha256').update(name).digest().subarray(0, 16).toString('base64url');
}

export function logEndOffset(log: StoredBatch[]): bigint {
  return log.length === 0 ? 0n : log[log.length - 1]!.lastOffset + 1n;
}

/**
 * Appends produced records, assigning offsets as a leader would. The bytes are copied first:
 * they are a view into the captured request frame, which must stay as the client sent it.
 * Returns the base offset given to the first record.
 */
export function appendRecords(log: StoredBatch[], records: Buffer): bigint {
  const first = logEndOffset(log);
  let next = first;
  const data = Buffer.from(records);
  const magic = data.length > BatchOffsets.magic ? data[BatchOffsets.magic] : 2;
  if (magic === 2) {
    for (const batch of splitBatches(data).batches) {
      setBaseOffset(batch, next);
      const lastOffset = next + BigInt(batch.readInt32BE(BatchOffsets.lastOffsetDelta));
      log.push({ baseOffset: next, lastOffset, bytes: batch });
      next = lastOffset + 1n;
    }
    return first;
  }
  // Legacy message sets: one offset per outer message (a compressed wrapper counts as one here;
  // the capture broker never needs to serve legacy data back with exact inner offsets).
  let at = 0;
  while (data.length - at >= LEGACY_ENTRY_OVERHEAD) {
    const size = data.readInt32BE(at + 8);
    const end = at + LEGACY_ENTRY_OVERHEAD + size;
    if (size < 0 || end > data.length) break;
    const entry = data.subarray(at, end);
    entry.writeBigInt64BE(next, 0);
    log.push({ baseOffset: next, lastOffset: next, bytes: entry });
    next += 1n;
    at = end;
  }
  return first;
}

/** The stored batches from `fetchOffset` on, at least one batch and then up to `maxBytes`. */
export function readRecords(log: StoredBatch[], fetchOffset: bigint, maxBytes: number): Buffer {
  const out: Buffer[] = [];
  let size = 0;
  for (const b of log) {
    if (b.lastOffset < fetchOffset) continue;
    if (out.length > 0 && size + b.bytes.length > maxBytes) break;
    out.push(b.bytes);
    size += b.bytes.length;
  }
  return Buffer.concat(out, size);
}
