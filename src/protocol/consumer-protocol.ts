import { ConsumerProtocolAssignment } from './generated/messages/consumer-protocol-assignment.js';
import { ConsumerProtocolSubscription } from './generated/messages/consumer-protocol-subscription.js';
import { Reader } from './primitives/reader.js';
import { encodeVersionPrefixed } from './versioned-data.js';

// ConsumerProtocol (Kafka's ConsumerProtocol class): the subscription a consumer puts in its
// JoinGroup metadata and the assignment its leader sends back in SyncGroup. The client writes and
// reads both; the group coordinator reads the subscribed topics of consumer groups.

/** The protocol type of Kafka consumers' groups; only these have subscriptions the coordinator can read. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** Partitions by topic, as the consumer protocol carries them. */
export type TopicPartitions = Map<string, number[]>;

export interface Subscription {
  topics: string[];
  userData: Buffer | null;
  /** v1+: what the member owns now, for sticky and cooperative assignors (KIP-429). */
  ownedPartitions: TopicPartitions;
  /** v2+: the generation the owned partitions come from (KIP-792). */
  generationId: number;
  /** v3+: the member's rack (KIP-881). */
  rackId: string | null;
}

export interface Assignment {
  partitions: TopicPartitions;
  userData: Buffer | null;
}

export const SUBSCRIPTION_VERSION_MAX = 3;

function toList(tp: TopicPartitions): { topic: string; partitions: number[] }[] {
  return [...tp].map(([topic, partitions]) => ({ topic, partitions }));
}

function toMap(list: readonly { topic: string; partitions: number[] }[]): TopicPartitions {
  const m: TopicPartitions = new Map();
  for (const e of list) m.set(e.topic, [...(m.get(e.topic) ?? []), ...e.partitions]);
  return m;
}

/**
 * ConsumerProtocol bytes are an int16 version then the body. A newer version than we know is read
 * as our newest: later versions only append fields (ConsumerProtocol.deserializeSubscription).
 */
export function encodeSubscription(s: Subscription, version = SUBSCRIPTION_VERSION_MAX): Buffer {
  return encodeVersionPrefixed(ConsumerProtocolSubscription, version, {
    topics: s.topics,
    userData: s.userData,
    ownedPartitions: toList(s.ownedPartitions),
    generationId: s.generationId,
    rackId: s.rackId,
  });
}

export function decodeSubscription(bytes: Buffer): Subscription & { version: number } {
  const r = new Reader(bytes);
  const version = r.readInt16();
  const v = Math.min(Math.max(version, 0), SUBSCRIPTION_VERSION_MAX);
  const s = ConsumerProtocolSubscription.read(r, v);
  return {
    version,
    topics: s.topics,
    userData: s.userData,
    ownedPartitions: toMap(s.ownedPartitions),
    generationId: v >= 2 ? s.generationId : -1,
    rackId: s.rackId,
  };
}

export function encodeAssignment(a: Assignment, version = SUBSCRIPTION_VERSION_MAX): Buffer {
  return encodeVersionPrefixed(ConsumerProtocolAssignment, version, {
    assignedPartitions: toList(a.partitions),
    userData: a.userData,
  });
}

/** An empty buffer means no assignment (the coordinator sends one to members it left out). */
export function decodeAssignment(bytes: Buffer): Assignment {
  if (bytes.length === 0) return { partitions: new Map(), userData: null };
  const r = new Reader(bytes);
  const version = Math.min(Math.max(r.readInt16(), 0), SUBSCRIPTION_VERSION_MAX);
  const a = ConsumerProtocolAssignment.read(r, version);
  return { partitions: toMap(a.assignedPartitions), userData: a.userData };
}

/**
 * The topics of a consumer's subscription, or null when the bytes do not parse (the group
 * coordinator then treats the member as subscribed to nothing it can name, as Kafka's
 * ClassicGroup.computeSubscribedTopics does).
 */
export function subscribedTopicsOf(metadata: Buffer): string[] | null {
  try {
    return decodeSubscription(metadata).topics;
  } catch {
    return null;
  }
}
