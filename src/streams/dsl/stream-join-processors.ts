import type { ProcessorContext, ProcessorSupplier } from '../processor/processor.js';
import { taskIdString } from '../processor/processor.js';
import type { StreamRecord } from '../processor/stream-record.js';
import type { Serde } from '../serdes.js';
import type { KeyValueStore } from '../state/key-value-store.js';
import type { WindowStore } from '../state/window-store.js';
import { dropRecord } from './window-processors.js';

/** Kafka's KStreamJoinWindow: passes each record on and keeps it in its side's window store. */
export function joinWindowProcessor<K, V>(storeName: string): ProcessorSupplier<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    let store: WindowStore<K, V>;
    return {
      init(c) {
        context = c;
        store = c.getStateStore(storeName);
      },
      process(record) {
        context.forward(record);
        if (
          record.key !== null &&
          record.key !== undefined &&
          record.value !== null &&
          record.value !== undefined
        )
          store.put(record.key, record.value, record.timestamp);
      },
    };
  };
}

/**
 * Kafka's TimeTracker of a stream-stream join, shared by its two sides within a task: the largest
 * timestamp either side has seen, and the smallest timestamp waiting in the outer-join store.
 */
class SharedTime {
  streamTimeMs = -1;
  minTimeMs = Number.MAX_SAFE_INTEGER;
}

/** One per join: each task gets its own SharedTime, found by the task id (Kafka's TimeTrackerSupplier). */
export class SharedTimeSupplier {
  private readonly byTask = new Map<string, SharedTime>();
  get(taskId: string): SharedTime {
    let t = this.byTask.get(taskId);
    if (!t) {
      t = new SharedTime();
      this.byTask.set(taskId, t);
    }
    return t;
  }
  remove(taskId: string): void {
    this.byTask.delete(taskId);
  }
}

export interface StreamJoinSide<K, VThis, VOut> {
  readonly otherStoreName: string;
  /** The shared store of records waiting for a left/outer result: left and outer joins. */
  readonly outerStoreName: string | null;
  readonly isLeftSide: boolean;
  /** Whether a record of this side without a match gets a result with null (left: the left side; outer: both). */
  readonly outer: boolean;
  /** Other-side records from timestamp - beforeMs to timestamp + afterMs join (swapped for the right side). */
  readonly beforeMs: number;
  readonly afterMs: number;
  /** The JoinWindows' own before and after (not swapped): how long each side's outer records wait. */
  readonly windowsBeforeMs: number;
  readonly windowsAfterMs: number;
  readonly graceMs: number;
  /** The user's joiner, always as (leftValue, rightValue, key). */
  readonly joiner: (left: unknown, right: unknown, key: K) => VOut;
  readonly time: SharedTimeSupplier;
  /** The serdes of the outer store's keys and values (given the application's defaults). */
  readonly keySerde: (d: Serde<unknown>) => Serde<K>;
  readonly leftValueSerde: (d: Serde<unknown>) => Serde<unknown>;
  readonly rightValueSerde: (d: Serde<unknown>) => Serde<unknown>;
  /** Unused: this side's value type. */
  readonly valueType?: VThis;
}

/**
 * The outer-join store's key, as Kafka's TimestampedKeyAndJoinSideSerializer writes it: the
 * record timestamp (8 bytes big-endian), 1 for the left side or 0 for the right, the key bytes;
 * so its byte order is timestamp, then side, then key, which the emission relies on.
 */
function outerKey(timestampMs: number, left: boolean, key: Buffer): Buffer {
  const out = Buffer.allocUnsafe(9 + key.length);
  out.writeBigInt64BE(BigInt(timestampMs), 0);
  out[8] = left ? 1 : 0;
  key.copy(out, 9);
  return out;
}

/**
 * Its value, a list of Kafka's LeftOrRightValue (a byte, 1 for a left value, then the value) in
 * the layout of Kafka's ListSerializer for variable-size entries: strategy byte 1, a 4-byte count,
 * then each entry's 4-byte length and bytes.
 */
function encodeList(entries: Buffer[]): Buffer {
  const head = Buffer.allocUnsafe(5);
  head[0] = 1;
  head.writeInt32BE(entries.length, 1);
  const parts: Buffer[] = [head];
  for (const e of entries) {
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(e.length);
    parts.push(len, e);
  }
  return Buffer.concat(parts);
}

function decodeList(bytes: Buffer): Buffer[] {
  const n = bytes.readInt32BE(1);
  const out: Buffer[] = [];
  let pos = 5;
  for (let i = 0; i < n; i++) {
    const len = bytes.readInt32BE(pos);
    out.push(bytes.subarray(pos + 4, pos + 4 + len));
    pos += 4 + len;
  }
  return out;
}

/**
 * Kafka's KStreamKStreamJoin (one per side) with Kafka 3.x's left/outer semantics (KIP-633's
 * spurious-result fix): a record joins every other-side record of its key in the join window,
 * each result timestamped with the larger of the two. A record of an outer side that finds no
 * match is not answered with null at once: it waits in the shared outer store until its window
 * has closed (stream time past its timestamp + after (left) or before (right) + grace) and is
 * emitted joined with null only if no match arrived by then. A record that is already too late to
 * wait is answered with null at once. Records with a null key or value are dropped and counted.
 */
export function streamJoinProcessor<K, VThis, VOther, VOut>(
  side: StreamJoinSide<K, VThis, VOut>,
): ProcessorSupplier<K, VThis, K, VOut> {
  return () => {
    let context: ProcessorContext<K, VOut>;
    let other: WindowStore<K, VOther>;
    let outerStore: KeyValueStore<Buffer, Buffer> | null = null;
    let time: SharedTime;
    let keys: Serde<K>;
    let leftValues: Serde<unknown>;
    let rightValues: Serde<unknown>;
    const topic = (): string => side.outerStoreName ?? '';
    const result = (key: K, thisValue: unknown, otherValue: unknown): VOut =>
      side.isLeftSide ? side.joiner(thisValue, otherValue, key) : side.joiner(otherValue, thisValue, key);

    const emitNonJoined = (record: StreamRecord<K, VThis>): void => {
      const store = outerStore!;
      if (time.minTimeMs + side.afterMs + side.graceMs >= time.streamTimeMs) return;
      time.minTimeMs = Number.MAX_SAFE_INTEGER;
      let leftOpen = false;
      let rightOpen = false;
      for (const { key: k, value } of store.all()) {
        const timestampMs = Number(k.readBigInt64BE(0));
        const isLeft = k[8] === 1;
        time.minTimeMs = timestampMs;
        if (leftOpen && rightOpen) break;
        const lookBackMs = isLeft ? side.windowsAfterMs : side.windowsBeforeMs;
        if (timestampMs + lookBackMs + side.graceMs >= time.streamTimeMs) {
          if (isLeft) leftOpen = true;
          else rightOpen = true;
          continue;
        }
        const key = keys.deserialize(topic(), k.subarray(9)) as K;
        for (const entry of decodeList(value)) {
          const v = (isLeft ? leftValues : rightValues).deserialize(topic(), entry.subarray(1));
          const out = isLeft ? side.joiner(v, null, key) : side.joiner(null, v, key);
          context.forward({ ...record, key, value: out, timestamp: timestampMs });
        }
        store.delete(k);
      }
    };

    return {
      init(c) {
        context = c;
        other = c.getStateStore(side.otherStoreName);
        if (side.outerStoreName !== null) outerStore = c.getStateStore(side.outerStoreName);
        time = side.time.get(taskIdString(c.taskId));
        keys = side.keySerde(c.keySerde());
        leftValues = side.leftValueSerde(c.valueSerde());
        rightValues = side.rightValueSerde(c.valueSerde());
        // After a restore the outer store may hold records: look at them at the next chance.
        if (outerStore !== null && outerStore.approximateNumEntries() > 0) time.minTimeMs = -1;
      },
      process(record) {
        const ts = record.timestamp;
        time.streamTimeMs = Math.max(time.streamTimeMs, ts);
        const hasKey = record.key !== null && record.key !== undefined;
        const hasValue = record.value !== null && record.value !== undefined;
        if (side.outer && !hasKey && hasValue) {
          context.forward({ ...record, value: result(record.key, record.value, null) });
          return;
        }
        if (!hasKey || !hasValue) {
          dropRecord(
            context as ProcessorContext<unknown, unknown>,
            'Skipping record due to null key or value.',
          );
          return;
        }
        if (outerStore !== null && ts === time.streamTimeMs) emitNonJoined(record);
        const timeFrom = Math.max(0, ts - side.beforeMs);
        const timeTo = Math.max(0, ts + side.afterMs);
        const matches = other.fetch(record.key, timeFrom, timeTo);
        const keyBytes = outerStore === null ? null : keys.serialize(topic(), record.key)!;
        for (const m of matches) {
          // A waiting outer record of the other side has found its match: it will not be emitted with null.
          if (outerStore !== null) outerStore.delete(outerKey(m.key, !side.isLeftSide, keyBytes!));
          context.forward({
            ...record,
            value: result(record.key, record.value, m.value),
            timestamp: Math.max(ts, m.key),
          });
        }
        if (!side.outer || matches.length > 0) return;
        if (outerStore === null || timeTo < time.streamTimeMs) {
          context.forward({ ...record, value: result(record.key, record.value, null) });
          return;
        }
        time.minTimeMs = Math.min(time.minTimeMs, ts);
        const k = outerKey(ts, side.isLeftSide, keyBytes!);
        const valueBytes = (side.isLeftSide ? leftValues : rightValues).serialize(topic(), record.value)!;
        const entry = Buffer.concat([Buffer.from([side.isLeftSide ? 1 : 0]), valueBytes]);
        const existing = outerStore.get(k);
        outerStore.put(k, encodeList(existing === null ? [entry] : [...decodeList(existing), entry]));
      },
      close() {
        side.time.remove(taskIdString(context.taskId));
      },
    };
  };
}
