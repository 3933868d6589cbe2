import type { ProcessorContext, ProcessorSupplier } from '../processor/processor.js';
import type { StreamRecord } from '../processor/stream-record.js';
import type { ValueAndTimestamp } from '../state/key-value-store.js';
import type { Window, Windowed, WindowStore } from '../state/window-store.js';
import type { Change } from './change.js';
import { dropRecord } from './window-processors.js';
import type { SlidingWindows } from './windows.js';

/**
 * Kafka's KStreamSlidingWindowAggregate (processInOrder, processEarly, createWindows): a record at
 * t updates every existing window of its key that contains it, creates its left window [t - d, t]
 * (from the aggregate of the window before it when that one holds records within d), its right
 * window [t + 1, t + 1 + d] when later records fall in it, and the right window of the record
 * before it when t falls in that. Records whose windows are all closed (t + d before stream time
 * minus grace) are dropped and counted. Records before d sit in the window [0, d] (KIP-450's
 * early records). `initialize` null is reduce.
 */
export function slidingWindowAggregateProcessor<K, V, A>(
  windows: SlidingWindows,
  storeName: string,
  initialize: (() => A) | null,
  aggregate: (key: K, value: V, aggregate: A) => A,
): ProcessorSupplier<K, V, Windowed<K>, Change<A>> {
  const d = windows.timeDifferenceMs;
  return () => {
    let context: ProcessorContext<Windowed<K>, Change<A>>;
    let store: WindowStore<K, ValueAndTimestamp<A>>;
    let observedStreamTimeMs = -1;
    const init = (): A | null => (initialize === null ? null : initialize());
    const apply = (record: StreamRecord<K, V>, agg: A | null): A =>
      agg === null && initialize === null
        ? (record.value as unknown as A)
        : aggregate(record.key, record.value, agg as A);

    const update = (
      record: StreamRecord<K, V>,
      window: Window,
      current: { value: A | null; timestamp: number } | null,
      closeTimeMs: number,
    ): void => {
      if (window.end < closeTimeMs) {
        dropRecord(context as ProcessorContext<unknown, unknown>, 'Skipping record for expired window.', {
          timestamp: record.timestamp,
          window: `[${window.start},${window.end}]`,
          expiration: closeTimeMs,
          streamTime: observedStreamTimeMs,
        });
        return;
      }
      const oldAgg = current?.value ?? null;
      const newValue = apply(record, oldAgg);
      const timestamp = oldAgg === null ? record.timestamp : Math.max(record.timestamp, current!.timestamp);
      store.put(record.key, { value: newValue, timestamp }, window.start);
      context.forward({
        ...record,
        key: { key: record.key, window },
        value: { newValue, oldValue: oldAgg },
        timestamp,
      });
    };
    const createRight = (record: StreamRecord<K, V>, agg: ValueAndTimestamp<A>): void => {
      const window = { start: record.timestamp + 1, end: record.timestamp + 1 + d };
      store.put(record.key, agg, window.start);
      context.forward({
        ...record,
        key: { key: record.key, window },
        value: { newValue: agg.value, oldValue: null },
        timestamp: agg.timestamp,
      });
    };
    const fresh = (record: StreamRecord<K, V>) => ({ value: init(), timestamp: record.timestamp });

    const processEarly = (record: StreamRecord<K, V>, closeTimeMs: number): void => {
      const t = record.timestamp;
      let combined: { start: number; agg: ValueAndTimestamp<A> } | null = null;
      let rightAgg: ValueAndTimestamp<A> | null = null;
      let rightCreated = false;
      let previous: number | null = null;
      const starts = new Set<number>();
      for (const { key: start, value } of store.fetch(record.key, 0, t + 1)) {
        starts.add(start);
        if (start === 0) {
          combined = { start, agg: value };
          if (value.timestamp < t) previous = value.timestamp;
        } else if (start <= t) {
          rightAgg = value;
          update(record, { start, end: start + d }, value, closeTimeMs);
        } else if (start === t + 1) rightCreated = true;
      }
      const c = combined as { start: number; agg: ValueAndTimestamp<A> } | null;
      if (rightAgg === null && c !== null && c.agg.timestamp > t) rightAgg = c.agg;
      if (!rightCreated && rightAgg !== null && rightAgg.timestamp > t) createRight(record, rightAgg);
      if (previous !== null && !starts.has(previous + 1))
        update(record, { start: previous + 1, end: previous + 1 + d }, fresh(record), closeTimeMs);
      update(record, { start: 0, end: d }, c === null ? fresh(record) : c.agg, closeTimeMs);
    };

    const processInOrder = (record: StreamRecord<K, V>, closeTimeMs: number): void => {
      const t = record.timestamp;
      const starts = new Set<number>();
      let leftAgg: ValueAndTimestamp<A> | null = null;
      let rightAgg: ValueAndTimestamp<A> | null = null;
      let leftCreated = false;
      let rightCreated = false;
      let previous: number | null = null;
      for (const { key: start, value } of store.fetch(record.key, Math.max(0, t - 2 * d), t + 1)) {
        starts.add(start);
        const end = start + d;
        if (end < t) {
          leftAgg = value;
          previous = value.timestamp;
        } else if (end === t) {
          leftCreated = true;
          if (value.timestamp < t) previous = value.timestamp;
          update(record, { start, end }, value, closeTimeMs);
        } else if (end > t && start <= t) {
          rightAgg = value;
          update(record, { start, end }, value, closeTimeMs);
        } else if (start === t + 1) rightCreated = true;
      }
      // The right window of the record before this one, when this one falls in it.
      if (previous !== null && !starts.has(previous + 1) && previous + 1 + d >= t)
        update(record, { start: previous + 1, end: previous + 1 + d }, fresh(record), closeTimeMs);
      if (!leftCreated) {
        const leftNotEmpty = previous !== null && t - d <= previous;
        update(
          record,
          { start: t - d, end: t },
          leftNotEmpty && leftAgg !== null ? { value: leftAgg.value, timestamp: t } : fresh(record),
          closeTimeMs,
        );
      }
      if (!rightCreated && rightAgg !== null && rightAgg.timestamp > t) createRight(record, rightAgg);
    };

    return {
      init(c) {
        context = c;
        store = c.getStateStore(storeName);
      },
      process(record) {
        if (
          record.key === null ||
          record.key === undefined ||
          record.value === null ||
          record.value === undefined
        ) {
          dropRecord(
            context as ProcessorContext<unknown, unknown>,
            'Skipping record due to null key or value.',
          );
          return;
        }
        observedStreamTimeMs = Math.max(observedStreamTimeMs, record.timestamp);
        const closeTimeMs = observedStreamTimeMs - windows.gracePeriodMs();
        if (record.timestamp + d < closeTimeMs) {
          dropRecord(context as ProcessorContext<unknown, unknown>, 'Skipping record for expired window.', {
            timestamp: record.timestamp,
            window: `[${record.timestamp},${record.timestamp + d}]`,
            expiration: closeTimeMs,
            streamTime: observedStreamTimeMs,
          });
          return;
        }
        if (record.timestamp < d) processEarly(record, closeTimeMs);
        else processInOrder(record, closeTimeMs);
      },
    };
  };
}
