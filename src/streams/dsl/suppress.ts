import type { ProcessorContext, ProcessorSupplier } from '../processor/processor.js';
import type { Header } from '../processor/stream-record.js';
import type { Serde } from '../serdes.js';
import type { KeyValueStore } from '../state/key-value-store.js';
import type { Windowed } from '../state/window-store.js';
import { StreamsError } from '../streams-error.js';
import type { Change } from './change.js';

/**
 * Kafka's BufferConfig: how much suppress() may hold. Unbounded, or a record / byte limit with
 * what to do when it is reached: emit the oldest records early (untilTimeLimit only) or stop the
 * application (shutDownWhenFull, the only choice for untilWindowCloses).
 */
export class BufferConfig {
  private constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
    readonly whenFull: 'emit-early' | 'shut-down',
  ) {}

  static unbounded(): BufferConfig {
    return new BufferConfig(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 'shut-down');
  }

  static maxRecords(records: number): BufferConfig {
    return new BufferConfig(records, Number.POSITIVE_INFINITY, 'emit-early');
  }

  static maxBytes(bytes: number): BufferConfig {
    return new BufferConfig(Number.POSITIVE_INFINITY, bytes, 'emit-early');
  }

  withMaxRecords(records: number): BufferConfig {
    return new BufferConfig(records, this.maxBytes, this.whenFull);
  }

  withMaxBytes(bytes: number): BufferConfig {
    return new BufferConfig(this.maxRecords, bytes, this.whenFull);
  }

  emitEarlyWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'emit-early');
  }

  shutDownWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'shut-down');
  }
}

/**
 * Kafka's Suppressed. `untilWindowCloses` holds a windowed table's updates until the window's
 * end plus the grace period has passed in stream time and then emits only the window's final
 * result; `untilTimeLimit` holds a key's updates for a time after its first update and then emits
 * the latest.
 */
export class Suppressed<K> {
  private constructor(
    readonly kind: 'window-close' | 'time-limit',
    readonly timeToWaitMs: number,
    readonly bufferConfig: BufferConfig,
    readonly name: string | null,
    /** Unused: the key type the suppression applies to. */
    readonly keyType?: K,
  ) {}

  static untilWindowCloses<K>(bufferConfig: BufferConfig): Suppressed<Windowed<K>> {
    if (bufferConfig.whenFull !== 'shut-down')
      throw new StreamsError(
        'CONFIG_INVALID',
        'untilWindowCloses needs a strict buffer (BufferConfig.unbounded() or shutDownWhenFull())',
      );
    return new Suppressed<Windowed<K>>('window-close', 0, bufferConfig, null);
  }

  static untilTimeLimit<K>(timeToWaitForMoreMs: number, bufferConfig: BufferConfig): Suppressed<K> {
    if (!(timeToWaitForMoreMs >= 0))
      throw new StreamsError('CONFIG_INVALID', 'timeToWaitForMore cannot be negative');
    return new Suppressed<K>('time-limit', timeToWaitForMoreMs, bufferConfig, null);
  }

  /** Names the suppression's processor, and its buffer store `<name>-store`. */
  withName(name: string): Suppressed<K> {
    return new Suppressed<K>(this.kind, this.timeToWaitMs, this.bufferConfig, name);
  }
}

interface Buffered {
  time: number;
  key: Buffer;
  record: { key: unknown; value: Change<unknown>; timestamp: number; headers: readonly Header[] };
  bytes: number;
}

/**
 * Kafka's KTableSuppressProcessor over its time-ordered buffer: each update replaces the key's
 * buffered one (keeping the buffer time of the first and the value before it as old value); after
 * each record every entry whose buffer time is at or before stream time minus the wait is emitted
 * in buffer-time order. The buffer is a logged key-value store, so it is restored with its task
 * (its changelog holds Strom's encoding of the entries, not Kafka's).
 */
export function suppressProcessor<K, V>(
  suppressed: Suppressed<K>,
  graceMs: number,
  storeName: string,
  /** The table's serdes, given the application's defaults. */
  keySerde: (defaultKey: Serde<unknown>) => Serde<K>,
  valueSerde: (defaultValue: Serde<unknown>) => Serde<V>,
): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  const waitMs = suppressed.kind === 'window-close' ? graceMs : suppressed.timeToWaitMs;
  const config = suppressed.bufferConfig;
  return () => {
    let context: ProcessorContext<K, Change<V>>;
    let store: KeyValueStore<Buffer, Buffer>;
    let observedStreamTimeMs = -1;
    const byKey = new Map<string, Buffered>();
    let totalBytes = 0;
    // The smallest buffer time, so a record that makes nothing due costs no sort of the buffer.
    let minTimeMs = Number.POSITIVE_INFINITY;
    let keys: Serde<K>;
    let values: Serde<V>;
    const topic = (): string => storeName;

    const encode = (b: Buffered): Buffer => {
      const nv = values.serialize(topic(), b.record.value.newValue as V | null);
      const ov = values.serialize(topic(), b.record.value.oldValue as V | null);
      const parts: Buffer[] = [Buffer.alloc(16)];
      parts[0]!.writeBigInt64BE(BigInt(b.time), 0);
      parts[0]!.writeBigInt64BE(BigInt(b.record.timestamp), 8);
      for (const v of [nv, ov]) {
        const len = Buffer.alloc(4);
        len.writeInt32BE(v === null ? -1 : v.length);
        parts.push(len);
        if (v !== null) parts.push(v);
      }
      return Buffer.concat(parts);
    };
    const decode = (key: Buffer, bytes: Buffer): Buffered => {
      let pos = 16;
      const read = (): V | null => {
        const len = bytes.readInt32BE(pos);
        pos += 4;
        if (len < 0) return null;
        const v = values.deserialize(topic(), bytes.subarray(pos, pos + len));
        pos += len;
        return v;
      };
      const newValue = read();
      const oldValue = read();
      return {
        time: Number(bytes.readBigInt64BE(0)),
        key: Buffer.from(key),
        record: {
          key: keys.deserialize(topic(), key),
          value: { newValue, oldValue },
          timestamp: Number(bytes.readBigInt64BE(8)),
          headers: [],
        },
        bytes: key.length + bytes.length,
      };
    };
    const emit = (b: Buffered): void => {
      byKey.delete(b.key.toString('latin1'));
      totalBytes -= b.bytes;
      store.delete(b.key);
      // Kafka drops a final tombstone of a window that was never emitted (safeToDropTombstones).
      if (b.record.value.newValue === null && suppressed.kind === 'window-close') return;
      context.forward(
        b.record as { key: K; value: Change<V>; timestamp: number; headers: readonly Header[] },
      );
    };
    const oldest = (): Buffered[] => [...byKey.values()].sort((a, b) => a.time - b.time);
    const emitWhile = (more: (b: Buffered) => boolean): void => {
      for (const b of oldest()) {
        if (!more(b)) break;
        emit(b);
      }
      minTimeMs = Number.POSITIVE_INFINITY;
      for (const b of byKey.values()) minTimeMs = Math.min(minTimeMs, b.time);
    };

    return {
      init(c) {
        context = c;
        store = c.getStateStore(storeName);
        keys = keySerde(c.keySerde());
        values = valueSerde(c.valueSerde());
        // The store was restored from its changelog before init: rebuild the time index.
        for (const { key, value } of store.all()) {
          const b = decode(key, value);
          byKey.set(key.toString('latin1'), b);
          totalBytes += b.bytes;
          observedStreamTimeMs = Math.max(observedStreamTimeMs, b.record.timestamp);
          minTimeMs = Math.min(minTimeMs, b.time);
        }
      },
      process(record) {
        observedStreamTimeMs = Math.max(observedStreamTimeMs, record.timestamp);
        const key = keys.serialize(topic(), record.key);
        if (key === null) return;
        const id = key.toString('latin1');
        const previous = byKey.get(id);
        const time =
          previous?.time ??
          (suppressed.kind === 'window-close'
            ? (record.key as Windowed<unknown>).window.end
            : record.timestamp);
        const entry: Buffered = {
          time,
          key,
          record: {
            key: record.key,
            value: {
              newValue: record.value.newValue,
              oldValue: previous ? previous.record.value.oldValue : record.value.oldValue,
            },
            timestamp: record.timestamp,
            headers: record.headers,
          },
          bytes: 0,
        };
        const encoded = encode(entry);
        entry.bytes = key.length + encoded.length;
        if (previous) totalBytes -= previous.bytes;
        totalBytes += entry.bytes;
        byKey.set(id, entry);
        store.put(key, encoded);
        minTimeMs = Math.min(minTimeMs, time);
        const expiryMs = observedStreamTimeMs - waitMs;
        if (minTimeMs <= expiryMs) emitWhile((b) => b.time <= expiryMs);
        if (byKey.size > config.maxRecords || totalBytes > config.maxBytes) {
          if (config.whenFull === 'shut-down')
            throw new StreamsError(
              'ILLEGAL_STATE',
              `suppress buffer of ${storeName} exceeded its capacity (${byKey.size} records, ${totalBytes} bytes) and is configured to shut down when full`,
            );
          emitWhile(() => byKey.size > config.maxRecords || totalBytes > config.maxBytes);
        }
      },
    };
  };
}
