import type { KeyValue } from './key-value-store.js';
import type { StateStore } from './state-store.js';

/**
 * Kafka's Window: a time interval in milliseconds. Time windows (tumbling, hopping) end
 * exclusively at `start + size`; sliding windows and sessions include their end.
 */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/** Kafka's Windowed: a key and the window it is aggregated in (the key of a windowed KTable). */
export interface Windowed<K> {
  readonly key: K;
  readonly window: Window;
}

/** Read access to a window store (Kafka's ReadOnlyWindowStore). */
export interface ReadOnlyWindowStore<K, V> {
  /** The value of `key` in the window starting at `windowStartMs`. */
  fetch(key: K, windowStartMs: number): V | null;
  /** The values of `key` in windows starting from `timeFromMs` to `timeToMs` (inclusive), by start time. */
  fetch(key: K, timeFromMs: number, timeToMs: number): KeyValue<number, V>[];
  /** Every key's values in windows starting within the range, by start time then key bytes. */
  fetchAll(timeFromMs: number, timeToMs: number): KeyValue<Windowed<K>, V>[];
  all(): KeyValue<Windowed<K>, V>[];
}

/** Kafka's WindowStore: values per key and window start, kept for the retention period. */
export interface WindowStore<K, V> extends StateStore, ReadOnlyWindowStore<K, V> {
  /** Stores `value` for `key` in the window starting at `windowStartMs`; null deletes. */
  put(key: K, value: V | null, windowStartMs: number): void;
}

/** Read access to a session store (Kafka's ReadOnlySessionStore). */
export interface ReadOnlySessionStore<K, AGG> {
  /**
   * Sessions of `key` ending at or after `earliestSessionEndMs` and starting at or before
   * `latestSessionStartMs`: those a record between the two may merge with.
   */
  findSessions(
    key: K,
    earliestSessionEndMs: number,
    latestSessionStartMs: number,
  ): KeyValue<Windowed<K>, AGG>[];
  fetchSession(key: K, sessionStartMs: number, sessionEndMs: number): AGG | null;
  /** Every session of `key`. */
  fetch(key: K): KeyValue<Windowed<K>, AGG>[];
}

/** Kafka's SessionStore: one aggregate per key and session window. */
export interface SessionStore<K, AGG> extends StateStore, ReadOnlySessionStore<K, AGG> {
  /** Stores the session's aggregate; null removes the session. */
  put(sessionKey: Windowed<K>, aggregate: AGG | null): void;
  remove(sessionKey: Windowed<K>): void;
}

/** A window store entry in bytes. */
export interface WindowBytesEntry {
  key: Buffer;
  windowStartMs: number;
  value: Buffer;
}

/**
 * The bytes layer of a window store, as Kafka's WindowBytesStoreSupplier builds it; a persistent
 * implementation plugs in here. Entries older than the retention period (by the largest window
 * start put) are dropped; with `retainDuplicates` (stream-stream joins) every put is kept.
 */
export interface WindowBytesStore {
  readonly persistent: boolean;
  readonly retentionPeriodMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  /** Returns false when the window is already past retention and the put was dropped. */
  put(key: Buffer, value: Buffer | null, windowStartMs: number): boolean;
  fetch(key: Buffer, windowStartMs: number): Buffer | null;
  /** Keys in [keyFrom, keyTo] (null: open) in windows starting in [timeFromMs, timeToMs], by start then key. */
  fetchRange(
    keyFrom: Buffer | null,
    keyTo: Buffer | null,
    timeFromMs: number,
    timeToMs: number,
  ): WindowBytesEntry[];
  size(): number;
  flush(): void;
  close(): void;
}

/** A session store entry in bytes. */
export interface SessionBytesEntry {
  key: Buffer;
  startMs: number;
  endMs: number;
  value: Buffer;
}

/** The bytes layer of a session store (Kafka's SessionBytesStoreSupplier); sessions expire by their end. */
export interface SessionBytesStore {
  readonly persistent: boolean;
  readonly retentionPeriodMs: number;
  /** A null value removes the session. Returns false when the session was past retention and dropped. */
  put(key: Buffer, startMs: number, endMs: number, value: Buffer | null): boolean;
  fetchSession(key: Buffer, startMs: number, endMs: number): Buffer | null;
  /** Sessions of keys in [keyFrom, keyTo] (null: open) with end >= earliestEndMs and start <= latestStartMs, by end, key, start. */
  findSessions(
    keyFrom: Buffer | null,
    keyTo: Buffer | null,
    earliestEndMs: number,
    latestStartMs: number,
  ): SessionBytesEntry[];
  size(): number;
  flush(): void;
  close(): void;
}
