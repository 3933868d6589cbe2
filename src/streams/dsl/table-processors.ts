import type { ProcessorContext, ProcessorSupplier } from '../processor/processor.js';
import type { StreamRecord } from '../processor/stream-record.js';
import type { TimestampedKeyValueStore } from '../state/key-value-store.js';
import type { Change } from './change.js';
import { stateless } from './stream-processors.js';

/** Records with a null key cannot update a table or an aggregate: Kafka drops them with a warning. */
function dropNullKey(context: ProcessorContext<unknown, unknown>, why: string): void {
  const metadata = context.recordMetadata();
  context.logger.warn(
    { topic: metadata?.topic, partition: metadata?.partition, offset: metadata?.offset.toString() },
    why,
  );
}

/**
 * Kafka's KTableSource: turns a changelog stream into table updates. With a store, the update
 * carries the value it replaces and the store keeps the latest value and timestamp; a null value
 * deletes the key (a tombstone). `storeName` is read when the task starts, so a later operation
 * that needs the table materialized (a join) can still name a store.
 */
export function tableSourceProcessor<K, V>(
  storeName: () => string | null,
): ProcessorSupplier<K, V, K, Change<V>> {
  return () => {
    let context: ProcessorContext<K, Change<V>> | null = null;
    let store: TimestampedKeyValueStore<K, V> | null = null;
    return {
      init(c) {
        context = c;
        const name = storeName();
        store = name === null ? null : c.getStateStore<TimestampedKeyValueStore<K, V>>(name);
      },
      process(record) {
        if (record.key === null || record.key === undefined) {
          dropNullKey(context as ProcessorContext<unknown, unknown>, 'Skipping record due to null key.');
          return;
        }
        let oldValue: V | null = null;
        if (store !== null) {
          oldValue = store.get(record.key)?.value ?? null;
          store.put(
            record.key,
            record.value === null ? null : { value: record.value, timestamp: record.timestamp },
          );
        }
        context!.forward({ ...record, value: { newValue: record.value, oldValue } });
      },
    };
  };
}

/** Keeps a table operation's result in a store when it is materialized, as Kafka's KTable processors do. */
export function materializing<K, V>(
  storeName: string | null,
  fn: (record: StreamRecord<K, Change<unknown>>) => Change<V> | null,
): ProcessorSupplier<K, Change<unknown>, K, Change<V>> {
  return () => {
    let context: ProcessorContext<K, Change<V>> | null = null;
    let store: TimestampedKeyValueStore<K, V> | null = null;
    return {
      init(c) {
        context = c;
        store = storeName === null ? null : c.getStateStore<TimestampedKeyValueStore<K, V>>(storeName);
      },
      process(record) {
        const change = fn(record);
        if (change === null) return;
        store?.put(
          record.key,
          change.newValue === null ? null : { value: change.newValue, timestamp: record.timestamp },
        );
        context!.forward({ ...record, value: change });
      },
    };
  };
}

/**
 * Kafka's KTableFilter: an update whose new value fails the predicate becomes a tombstone for its
 * key, so a downstream table drops a row that no longer qualifies.
 */
export function tableFilterProcessor<K, V>(
  predicate: (key: K, value: V) => boolean,
  not: boolean,
  storeName: string | null,
) {
  const keep = (key: K, value: V | null): V | null =>
    value !== null && predicate(key, value) !== not ? value : null;
  return materializing<K, V>(storeName, (r) => {
    const change = r.value as Change<V>;
    return { newValue: keep(r.key, change.newValue), oldValue: keep(r.key, change.oldValue) };
  });
}

/** Kafka's KTableMapValues: a tombstone stays a tombstone, other values are mapped. */
export function tableMapValuesProcessor<K, V, VR>(
  mapper: (value: V, key: K) => VR,
  storeName: string | null,
) {
  return materializing<K, VR>(storeName, (r) => {
    const change = r.value as Change<V>;
    // The old value is not mapped again (Kafka maps it only when a downstream asks for old values).
    return { newValue: change.newValue === null ? null : mapper(change.newValue, r.key), oldValue: null };
  });
}

/** Kafka's KTable.toStream: each update as a record of its new value (null for a delete). */
export function tableToStreamProcessor<K, V>() {
  return stateless<K, Change<V>, K, V | null>((r, forward) => forward({ ...r, value: r.value.newValue }));
}

/**
 * Kafka's KStreamAggregate and KStreamReduce: the key's aggregate is read from the store, updated
 * with the record and written back with the larger of the record's and the aggregate's timestamps;
 * the update goes downstream as a table change. Records with a null key or value are skipped.
 */
export function aggregateProcessor<K, V, A>(
  storeName: string,
  initialize: (() => A) | null,
  aggregate: (key: K, value: V, aggregate: A) => A,
): ProcessorSupplier<K, V, K, Change<A>> {
  return () => {
    let context: ProcessorContext<K, Change<A>> | null = null;
    let store: TimestampedKeyValueStore<K, A> | null = null;
    return {
      init(c) {
        context = c;
        store = c.getStateStore<TimestampedKeyValueStore<K, A>>(storeName);
      },
      process(record) {
        if (
          record.key === null ||
          record.key === undefined ||
          record.value === null ||
          record.value === undefined
        ) {
          dropNullKey(
            context as ProcessorContext<unknown, unknown>,
            'Skipping record due to null key or value.',
          );
          return;
        }
        const old = store!.get(record.key);
        let newValue: A;
        let timestamp: number;
        if (old === null) {
          // Kafka's reduce starts from the first value; aggregate and count from the initializer.
          newValue =
            initialize === null
              ? (record.value as unknown as A)
              : aggregate(record.key, record.value, initialize());
          timestamp = record.timestamp;
        } else {
          newValue = aggregate(record.key, record.value, old.value);
          timestamp = Math.max(record.timestamp, old.timestamp);
        }
        store!.put(record.key, { value: newValue, timestamp });
        context!.forward({ ...record, timestamp, value: { newValue, oldValue: old?.value ?? null } });
      },
    };
  };
}
