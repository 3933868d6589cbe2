import { Reader } from '../../../protocol/primitives/reader.js';
import { Writer } from '../../../protocol/primitives/writer.js';

/** The protocol type of Kafka consumers' groups; only these have subscriptions the coordinator can read. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/**
 * The topics of a ConsumerProtocolSubscription (the JoinGroup metadata of consumers). Like Kafka,
 * only the version 0 prefix is read (int16 version, then the topic array), because every later
 * version starts with it. Returns null when the bytes do not parse.
 */
export function subscribedTopicsOf(metadata: Buffer): string[] | null {
  try {
    const r = new Reader(metadata);
    r.readInt16();
    const n = r.readArrayLength(2);
    if (n < 0) return null;
    const topics: string[] = [];
    for (let i = 0; i < n; i++) topics.push(r.readString());
    return topics;
  } catch {
    return null;
  }
}

/** A version 0 ConsumerProtocolSubscription: topics and no user data. */
export function encodeSubscription(topics: readonly string[]): Buffer {
  const w = new Writer(64);
  w.writeInt16(0);
  w.writeArrayLength(topics.length);
  for (const t of topics) w.writeString(t);
  w.writeNullableBytes(null);
  return w.toBuffer();
}

export interface TopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

/** A version 0 ConsumerProtocolAssignment. */
export function encodeAssignment(assigned: readonly TopicPartitions[]): Buffer {
  const w = new Writer(64);
  w.writeInt16(0);
  w.writeArrayLength(assigned.length);
  for (const a of assigned) {
    w.writeString(a.topic);
    w.writeArrayLength(a.partitions.length);
    for (const p of a.partitions) w.writeInt32(p);
  }
  w.writeNullableBytes(null);
  return w.toBuffer();
}

/** The assigned partitions of a ConsumerProtocolAssignment; an empty buffer is no assignment. */
export function decodeAssignment(buf: Buffer): TopicPartitions[] {
  if (buf.length === 0) return [];
  const r = new Reader(buf);
  r.readInt16();
  const n = r.readArrayLength(6);
  const out: TopicPartitions[] = [];
  for (let i = 0; i < n; i++) {
    const topic = r.readString();
    const m = r.readArrayLength(4);
    const partitions: number[] = [];
    for (let j = 0; j < m; j++) partitions.push(r.readInt32());
    out.push({ topic, partitions });
  }
  return out;
}
