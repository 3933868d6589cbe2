import type { Serde } from '../serdes.js';
import { StreamsError } from '../streams-error.js';
import type { KeyValueBytesStore } from './in-memory-bytes-store.js';
import type { KeyValue, KeyValueStore, ValueAndTimestamp } from './key-value-store.js';
import {
  type ChangelogRecord,
  changelogTopicName,
  type StateStore,
  type StateStoreContext,
} from './state-store.js';

/**
 * How values are kept in the bytes store and in the changelog. A timestamped store keeps the
 * 8-byte timestamp before the value, as Kafka's RocksDB timestamped format, but its changelog
 * holds the plain value with the timestamp as the record's (Kafka's RecordConverters do the same
 * on restore), so the changelog reads as Kafka Streams writes it.
 */
export interface ValueFormat<V> {
  toStored(topic: string, value: V): Buffer | null;
  fromStored(topic: string, stored: Buffer): V | null;
  toChange(key: Buffer, stored: Buffer | null, recordTimestampMs: number): ChangelogRecord;
  fromChange(change: ChangelogRecord): Buffer | null;
}

export function plainFormat<V>(serde: Serde<V>): ValueFormat<V> {
  return {
    toStored: (topic, value) => serde.serialize(topic, value),
    fromStored: (topic, stored) => serde.deserialize(topic, stored),
    toChange: (key, stored, timestampMs) => ({ key, value: stored, timestampMs }),
    fromChange: (change) => change.value,
  };
}

export function timestampedFormat<V>(serde: Serde<V>): ValueFormat<ValueAndTimestamp<V>> {
  return {
    toStored(topic, vt) {
      const bytes = serde.serialize(topic, vt.value);
      if (bytes === null) return null;
      const out = Buffer.allocUnsafe(8 + bytes.length);
      out.writeBigInt64BE(BigInt(vt.timestamp));
      bytes.copy(out, 8);
      return out;
    },
    fromStored(topic, stored) {
      const value = serde.deserialize(topic, stored.subarray(8));
      return value === null ? null : { value, timestamp: Number(stored.readBigInt64BE(0)) };
    },
    toChange: (key, stored, timestampMs) =>
      stored === null
        ? { key, value: null, timestampMs }
        : { key, value: stored.subarray(8), timestampMs: Number(stored.readBigInt64BE(0)) },
    fromChange(change) {
      if (change.value === null) return null;
      const out = Buffer.allocUnsafe(8 + change.value.length);
      out.writeBigInt64BE(BigInt(change.timestampMs));
      change.value.copy(out, 8);
      return out;
    },
  };
}

/**
 * A typed key-value store over a bytes store: serdes (Kafka's MeteredKeyValueStore) and, when
 * logging is on, every change sent to the changelog (ChangeLoggingKeyValueBytesStore). The
 * changelog is replayed into the bytes store through the callback registered at init.
 */
export class SerializedKeyValueStore<K, V> implements KeyValueStore<K, V>, StateStore {
  private context: StateStoreContext | null = null;
  private topic: string;

  constructor(
    readonly name: string,
    private readonly inner: KeyValueBytesStore,
    private readonly keySerde: Serde<K>,
    private readonly format: ValueFormat<V>,
    private readonly loggingEnabled: boolean,
    /** Whether values are ValueAndTimestamp (the DSL's stores). */
    readonly timestamped = false,
  ) {
    this.topic = name;
  }

  static plain<K, V>(
    name: string,
    inner: KeyValueBytesStore,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    logging: boolean,
  ): SerializedKeyValueStore<K, V> {
    return new SerializedKeyValueStore(name, inner, keySerde, plainFormat(valueSerde), logging);
  }

  static timestamped<K, V>(
    name: string,
    inner: KeyValueBytesStore,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    logging: boolean,
  ): SerializedKeyValueStore<K, ValueAndTimestamp<V>> {
    return new SerializedKeyValueStore(name, inner, keySerde, timestampedFormat(valueSerde), logging, true);
  }

  get persistent(): boolean {
    return this.inner.persistent;
  }

  init(context: StateStoreContext): void {
    this.context = context;
    // Serdes see the changelog topic, as Kafka's store serdes do.
    this.topic = changelogTopicName(context.applicationId, this.name);
    if (this.inner.open) {
      if (context.taskDir === undefined || context.taskDir === null)
        throw new StreamsError('STORE_UNAVAILABLE', `persistent store ${this.name} needs a state directory`);
      this.inner.open(context.taskDir);
    }
    context.register(this, (batch) => {
      for (const change of batch) this.inner.put(change.key, this.format.fromChange(change));
      // A persistent store writes each restored batch out, so a long restore holds one batch in memory.
      if (this.inner.persistent) this.inner.flush();
    });
  }

  wipe(): void {
    this.inner.wipe?.();
  }

  discard(): void {
    this.inner.discard?.();
  }

  get(key: K): V | null {
    const stored = this.inner.get(this.keyBytes(key));
    return stored === null ? null : this.format.fromStored(this.topic, stored);
  }

  put(key: K, value: V | null): void {
    const k = this.keyBytes(key);
    const stored = value === null ? null : this.format.toStored(this.topic, value);
    this.inner.put(k, stored);
    this.log(k, stored);
  }

  putIfAbsent(key: K, value: V): V | null {
    const old = this.get(key);
    if (old === null) this.put(key, value);
    return old;
  }

  putAll(entries: readonly KeyValue<K, V | null>[]): void {
    for (const { key, value } of entries) this.put(key, value);
  }

  delete(key: K): V | null {
    const old = this.get(key);
    const k = this.keyBytes(key);
    this.inner.put(k, null);
    this.log(k, null);
    return old;
  }

  range(from: K, to: K): KeyValue<K, V>[] {
    return this.decode(this.inner.range(this.keyBytes(from), this.keyBytes(to)));
  }

  all(): KeyValue<K, V>[] {
    return this.decode(this.inner.range(null, null));
  }

  approximateNumEntries(): number {
    return this.inner.size();
  }

  flush(): void {
    this.inner.flush();
  }

  close(): void {
    this.inner.close();
    this.context = null;
  }

  private decode(entries: [Buffer, Buffer][]): KeyValue<K, V>[] {
    const out: KeyValue<K, V>[] = [];
    for (const [k, v] of entries) {
      const key = this.keySerde.deserialize(this.topic, k);
      const value = this.format.fromStored(this.topic, v);
      if (key !== null && value !== null) out.push({ key, value });
    }
    return out;
  }

  private keyBytes(key: K): Buffer {
    const k = this.keySerde.serialize(this.topic, key);
    if (k === null)
      throw new StreamsError('SERIALIZATION_FAILED', `store ${this.name} cannot hold a null key`);
    return k;
  }

  private log(key: Buffer, stored: Buffer | null): void {
    const context = this.context;
    if (context === null)
      throw new StreamsError(
        'STORE_UNAVAILABLE',
        `store ${this.name} is used before its task initialized it`,
      );
    if (this.loggingEnabled)
      context.logChange(this.name, this.format.toChange(key, stored, context.recordTimestampMs()));
  }
}
