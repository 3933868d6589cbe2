import type { StateStore } from './state-store.js';

export interface KeyValue<K, V> {
  key: K;
  value: V;
}

/** Kafka's ValueAndTimestamp: what the DSL's timestamped stores hold. */
export interface ValueAndTimestamp<V> {
  value: V;
  timestamp: number;
}

/** Read access to a key-value store, as Kafka's ReadOnlyKeyValueStore (interactive queries use it). */
export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): V | null;
  /** Entries with from <= key <= to in the order of the serialized keys' bytes. */
  range(from: K, to: K): KeyValue<K, V>[];
  /** Every entry in the order of the serialized keys' bytes. */
  all(): KeyValue<K, V>[];
  approximateNumEntries(): number;
}

/** Kafka's KeyValueStore. */
export interface KeyValueStore<K, V> extends StateStore, ReadOnlyKeyValueStore<K, V> {
  /** Stores `value` for `key`; a null value deletes the key, as in Kafka. */
  put(key: K, value: V | null): void;
  /** Stores `value` when the key has none, and returns the value that was there. */
  putIfAbsent(key: K, value: V): V | null;
  putAll(entries: readonly KeyValue<K, V | null>[]): void;
  /** Deletes the key and returns the value it had. */
  delete(key: K): V | null;
}

/** Kafka's TimestampedKeyValueStore: values with the timestamp of the record that last wrote them. */
export type TimestampedKeyValueStore<K, V> = KeyValueStore<K, ValueAndTimestamp<V>>;
