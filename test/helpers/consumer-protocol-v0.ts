import {
  decodeAssignment as decode,
  encodeAssignment as encode,
  encodeSubscription as encodeFull,
} from '../../src/protocol/consumer-protocol.js';

// Version 0 ConsumerProtocol data from topic lists, as the group coordinator's tests, simulations
// and benchmarks write it: the one codec in src/protocol, with the shapes those tests use.

export { subscribedTopicsOf } from '../../src/protocol/consumer-protocol.js';

export interface TopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

/** A version 0 ConsumerProtocolSubscription: topics and no user data. */
export function encodeSubscription(topics: readonly string[]): Buffer {
  return encodeFull(
    { topics: [...topics], userData: null, ownedPartitions: new Map(), generationId: -1, rackId: null },
    0,
  );
}

/** A version 0 ConsumerProtocolAssignment. */
export function encodeAssignment(assigned: readonly TopicPartitions[]): Buffer {
  return encode(
    { partitions: new Map(assigned.map((a) => [a.topic, [...a.partitions]])), userData: null },
    0,
  );
}

/** The assigned partitions of a ConsumerProtocolAssignment; an empty buffer is no assignment. */
export function decodeAssignment(buf: Buffer): TopicPartitions[] {
  return [...decode(buf).partitions].map(([topic, partitions]) => ({ topic, partitions }));
}
