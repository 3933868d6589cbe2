import type { ProcessorContext, ProcessorSupplier } from '../processor/processor.js';
import type { TimestampedKeyValueStore, ValueAndTimestamp } from '../state/key-value-store.js';
import type { Change } from './change.js';
import { dropRecord } from './window-processors.js';

/**
 * Kafka's KTableValueGetterSupplier: how an operation reads a table's current value for a key,
 * from the table's store or, for a table that is not materialized, through its parent's getter
 * and the operation that derives it (filter, mapValues, join).
 */
export interface TableValueGetter<K, V> {
  /** The stores the lookups read, to connect to the processor that uses them. */
  storeNames(): string[];
  init(context: ProcessorContext<unknown, unknown>): (key: K) => ValueAndTimestamp<V> | null;
}

export function storeValueGetter<K, V>(storeName: string): TableValueGetter<K, V> {
  return {
    storeNames: () => [storeName],
    init(context) {
      const store = context.getStateStore<TimestampedKeyValueStore<K, V>>(storeName);
      return (key) => store.get(key);
    },
  };
}

/** A getter through the parent's: `fn` derives the value (null: the key is absent). */
export function derivedValueGetter<K, V, VR>(
  parent: TableValueGetter<K, V>,
  fn: (key: K, value: V) => VR | null,
): TableValueGetter<K, VR> {
  return {
    storeNames: () => parent.storeNames(),
    init(context) {
      const get = parent.init(context);
      return (key) => {
        const vt = get(key);
        if (vt === null) return null;
        const value = fn(key, vt.value);
        return value === null ? null : { value, timestamp: vt.timestamp };
      };
    },
  };
}

export type TableJoinKind = 'inner' | 'left' | 'outer';

/**
 * The result of a table-table join for a key, given both sides' current values (Kafka's
 * KTableKTable{Inner,Left,Outer}Join value getters and processors): inner needs both, left the
 * left one, outer either; the result is the joiner's.
 */
function joined<L, R, VR>(
  kind: TableJoinKind,
  left: L | null,
  right: R | null,
  joiner: (left: L | null, right: R | null) => VR,
): VR | null {
  if (kind === 'inner') return left !== null && right !== null ? joiner(left, right) : null;
  if (kind === 'left') return left !== null ? joiner(left, right) : null;
  return left !== null || right !== null ? joiner(left, right) : null;
}

export function tableJoinValueGetter<K, L, R, VR>(
  kind: TableJoinKind,
  left: TableValueGetter<K, L>,
  right: TableValueGetter<K, R>,
  joiner: (left: L | null, right: R | null) => VR,
): TableValueGetter<K, VR> {
  return {
    storeNames: () => [...left.storeNames(), ...right.storeNames()],
    init(context) {
      const getLeft = left.init(context);
      const getRight = right.init(context);
      return (key) => {
        const l = getLeft(key);
        const r = getRight(key);
        const value = joined(kind, l?.value ?? null, r?.value ?? null, joiner);
        return value === null ? null : { value, timestamp: Math.max(l?.timestamp ?? -1, r?.timestamp ?? -1) };
      };
    },
  };
}

/**
 * One side of a table-table join (Kafka's KTableKTableInnerJoin, LeftJoin, RightJoin,
 * OuterJoin): an update of this side is joined with the other side's current value; the result
 * is an update of the joined table (null: the key leaves it), timestamped with the larger of the
 * two sides' timestamps. An update that can change nothing (the key in neither table) is not
 * forwarded.
 */
export function tableJoinProcessor<K, VThis, VOther, VR>(
  kind: TableJoinKind,
  isLeftSide: boolean,
  otherGetter: TableValueGetter<K, VOther>,
  joiner: (left: unknown, right: unknown) => VR,
): ProcessorSupplier<K, Change<VThis>, K, Change<VR>> {
  return () => {
    let context: ProcessorContext<K, Change<VR>>;
    let getOther: (key: K) => ValueAndTimestamp<VOther> | null;
    const result = (thisValue: VThis | null, otherValue: VOther | null): VR | null =>
      isLeftSide
        ? joined<VThis, VOther, VR>(kind, thisValue, otherValue, joiner)
        : joined<VOther, VThis, VR>(kind, otherValue, thisValue, joiner);
    return {
      init(c) {
        context = c;
        getOther = otherGetter.init(c as ProcessorContext<unknown, unknown>);
      },
      process(record) {
        if (record.key === null || record.key === undefined) {
          dropRecord(context as ProcessorContext<unknown, unknown>, 'Skipping record due to null key.');
          return;
        }
        const other = getOther(record.key);
        const change = record.value;
        const otherValue = other?.value ?? null;
        // An inner join, and the right side of a left join, need the other side's value; otherwise
        // only an update of a key neither table has (a delete of nothing) is not forwarded.
        const needsOther = kind === 'inner' || (kind === 'left' && !isLeftSide);
        if (otherValue === null && (needsOther || (change.newValue === null && change.oldValue === null)))
          return;
        const newValue = result(change.newValue, otherValue);
        const oldValue = change.oldValue === null ? null : result(change.oldValue, otherValue);
        context.forward({
          ...record,
          value: { newValue, oldValue },
          timestamp: Math.max(record.timestamp, other?.timestamp ?? -1),
        });
      },
    };
  };
}

/**
 * Kafka's KStreamKTableJoin (and KStreamGlobalKTableJoin with a key mapper): each stream record is
 * joined with the table's current value for its key, or for `mapKey(key, value)` with a global
 * table (table updates produce nothing); inner drops records the table lacks, left joins them
 * with null. Records with a null value, or a null key to look up (inner join), are dropped and
 * counted.
 */
export function streamTableJoinProcessor<K, V, KT, VT, VR>(
  getter: TableValueGetter<KT, VT>,
  left: boolean,
  joiner: (value: V, tableValue: VT | null, key: K) => VR,
  mapKey: ((key: K, value: V) => KT | null) | null = null,
): ProcessorSupplier<K, V, K, VR> {
  return () => {
    let context: ProcessorContext<K, VR>;
    let get: (key: KT) => ValueAndTimestamp<VT> | null;
    return {
      init(c) {
        context = c;
        get = getter.init(c as ProcessorContext<unknown, unknown>);
      },
      process(record) {
        const lookup = (mapKey === null ? record.key : mapKey(record.key, record.value)) as
          | KT
          | null
          | undefined;
        const noKey = lookup === null || lookup === undefined;
        if (record.value === null || record.value === undefined || (noKey && !left)) {
          dropRecord(
            context as ProcessorContext<unknown, unknown>,
            'Skipping record due to null join key or value.',
          );
          return;
        }
        const tableValue = noKey ? null : (get(lookup)?.value ?? null);
        if (tableValue === null && !left) return;
        context.forward({ ...record, value: joiner(record.value, tableValue, record.key) });
      },
    };
  };
}
