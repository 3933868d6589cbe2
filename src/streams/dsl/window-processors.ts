import type { ProcessorContext, ProcessorSupplier } from '../processor/processor.js';
import type { StreamRecord } from '../processor/stream-record.js';
import type { ValueAndTimestamp } from '../state/key-value-store.js';
import type { SessionStore, Window, Windowed, WindowStore } from '../state/window-store.js';
import type { Change } from './change.js';
import type { SessionWindows, TimeWindows } from './windows.js';

/** Kafka logs a skipped record and counts it in the task's dropped-records sensor. */
export function dropRecord(
  context: ProcessorContext<unknown, unknown>,
  message: string,
  fields: Record<string, unknown> = {},
): void {
  const metadata = context.recordMetadata();
  context.logger.warn(
    {
      topic: metadata?.topic,
      partition: metadata?.partition,
      offset: metadata?.offset.toString(),
      ...fields,
    },
    message,
  );
  context.recordDroppedRecord();
}

function skipNull(
  context: ProcessorContext<unknown, unknown>,
  record: StreamRecord<unknown, unknown>,
): boolean {
  if (record.key !== null && record.key !== undefined && record.value !== null && record.value !== undefined)
    return false;
  dropRecord(context, 'Skipping record due to null key or value.');
  return true;
}

/**
 * Kafka's KStreamWindowAggregate: a record updates each time window it falls in whose end is
 * still after the close time (the stream time this processor has seen minus the grace period);
 * for a window already closed it is dropped and counted ("Skipping record for expired window").
 * The update's timestamp is the largest record timestamp of the window. `initialize` null is
 * reduce: the window's first value as it is.
 */
export function timeWindowAggregateProcessor<K, V, A>(
  windows: TimeWindows,
  storeName: string,
  initialize: (() => A) | null,
  aggregate: (key: K, value: V, aggregate: A) => A,
): ProcessorSupplier<K, V, Windowed<K>, Change<A>> {
  return () => {
    let context: ProcessorContext<Windowed<K>, Change<A>>;
    let store: WindowStore<K, ValueAndTimestamp<A>>;
    let observedStreamTimeMs = -1;
    return {
      init(c) {
        context = c;
        store = c.getStateStore(storeName);
      },
      process(record) {
        if (skipNull(context as ProcessorContext<unknown, unknown>, record)) return;
        observedStreamTimeMs = Math.max(observedStreamTimeMs, record.timestamp);
        const closeTimeMs = observedStreamTimeMs - windows.gracePeriodMs();
        for (const window of windows.windowsFor(record.timestamp)) {
          if (window.end <= closeTimeMs) {
            dropRecord(context as ProcessorContext<unknown, unknown>, 'Skipping record for expired window.', {
              timestamp: record.timestamp,
              window: `[${window.start},${window.end})`,
              expiration: closeTimeMs,
              streamTime: observedStreamTimeMs,
            });
            continue;
          }
          const old = store.fetch(record.key, window.start);
          const newValue =
            old !== null
              ? aggregate(record.key, record.value, old.value)
              : initialize === null
                ? (record.value as unknown as A)
                : aggregate(record.key, record.value, initialize());
          const timestamp = old === null ? record.timestamp : Math.max(record.timestamp, old.timestamp);
          store.put(record.key, { value: newValue, timestamp }, window.start);
          context.forward({
            ...record,
            key: { key: record.key, window },
            value: { newValue, oldValue: old?.value ?? null },
            timestamp,
          });
        }
      },
    };
  };
}

/**
 * Kafka's KStreamSessionWindowAggregate: a record at t merges with the key's sessions ending at or
 * after t - gap and starting at or before t + gap into one session spanning them all (their
 * aggregates combined with `merge`); the sessions merged away are deleted downstream (a tombstone
 * of their windowed key). A session ending before the close time (stream time - gap - grace) is
 * not updated: the record is dropped and counted. Updates carry the session end as timestamp.
 * `initialize` null is reduce.
 */
export function sessionWindowAggregateProcessor<K, V, A>(
  windows: SessionWindows,
  storeName: string,
  initialize: (() => A) | null,
  aggregate: (key: K, value: V, aggregate: A) => A,
  merge: (key: K, aggregate1: A, aggregate2: A) => A,
): ProcessorSupplier<K, V, Windowed<K>, Change<A>> {
  return () => {
    let context: ProcessorContext<Windowed<K>, Change<A>>;
    let store: SessionStore<K, A>;
    let observedStreamTimeMs = -1;
    const forward = (record: StreamRecord<K, V>, key: Windowed<K>, change: Change<A>): void =>
      context.forward({ ...record, key, value: change, timestamp: key.window.end });
    return {
      init(c) {
        context = c;
        store = c.getStateStore(storeName);
      },
      process(record) {
        if (skipNull(context as ProcessorContext<unknown, unknown>, record)) return;
        const t = record.timestamp;
        observedStreamTimeMs = Math.max(observedStreamTimeMs, t);
        const closeTimeMs = observedStreamTimeMs - windows.gracePeriodMs() - windows.inactivityGap();
        const gap = windows.inactivityGap();
        const merged = store.findSessions(record.key, t - gap, t + gap);
        let window: Window = { start: t, end: t };
        let agg: A | null = initialize === null ? null : initialize();
        for (const session of merged) {
          agg = agg === null ? session.value : merge(record.key, agg, session.value);
          window = {
            start: Math.min(window.start, session.key.window.start),
            end: Math.max(window.end, session.key.window.end),
          };
        }
        if (window.end < closeTimeMs) {
          dropRecord(context as ProcessorContext<unknown, unknown>, 'Skipping record for expired window.', {
            timestamp: t,
            window: `[${window.start},${window.end}]`,
            expiration: closeTimeMs,
            streamTime: observedStreamTimeMs,
          });
          return;
        }
        if (window.start !== t || window.end !== t)
          for (const session of merged) {
            store.remove(session.key);
            forward(record, session.key, { newValue: null, oldValue: session.value });
          }
        const newValue =
          agg === null ? (record.value as unknown as A) : aggregate(record.key, record.value, agg);
        const key = { key: record.key, window };
        store.put(key, newValue);
        forward(record, key, { newValue, oldValue: null });
      },
    };
  };
}
