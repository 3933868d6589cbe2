import type { Serde } from '../serdes.js';
import { StreamsError } from '../streams-error.js';
import type { KeyValue } from './key-value-store.js';
import type { ValueFormat } from './serialized-key-value-store.js';
import { changelogTopicName, type StateStore, type StateStoreContext } from './state-store.js';
import { SessionKeySchema, WindowKeySchema } from './window-key-schema.js';
import type {
  SessionBytesEntry,
  SessionBytesStore,
  SessionStore,
  WindowBytesEntry,
  WindowBytesStore,
  Windowed,
  WindowStore,
} from './window-store.js';

/** What the typed window and session stores share: the serdes' topic, the context, logging. */
abstract class LoggedStore {
  protected context: StateStoreContext | null = null;
  protected topic: string;

  constructor(
    readonly name: string,
    private readonly loggingEnabled: boolean,
  ) {
    this.topic = name;
  }

  protected attach(context: StateStoreContext): void {
    this.context = context;
    this.topic = changelogTopicName(context.applicationId, this.name);
  }

  protected log(key: Buffer, value: Buffer | null, timestampMs: number): void {
    const context = this.context;
    if (context === null)
      throw new StreamsError(
        'STORE_UNAVAILABLE',
        `store ${this.name} is used before its task initialized it`,
      );
    if (this.loggingEnabled) context.logChange(this.name, { key, value, timestampMs });
  }

  protected recordTimestampMs(): number {
    return this.context?.recordTimestampMs() ?? -1;
  }

  protected keyBytes<K>(serde: Serde<K>, key: K): Buffer {
    const k = serde.serialize(this.topic, key);
    if (k === null)
      throw new StreamsError('SERIALIZATION_FAILED', `store ${this.name} cannot hold a null key`);
    return k;
  }
}

/**
 * A typed window store over a bytes store (Kafka's MeteredWindowStore and
 * ChangeLoggingWindowBytesStore): each put goes to the changelog keyed as Kafka's
 * WindowKeySchema.toStoreKeyBinary (key, window start, sequence number: 0, or counting up when
 * the store retains duplicates), and restoring puts the changelog back by window start.
 */
export class SerializedWindowStore<K, V> extends LoggedStore implements WindowStore<K, V>, StateStore {
  private seq = 0;

  constructor(
    name: string,
    private readonly inner: WindowBytesStore,
    private readonly keySerde: Serde<K>,
    private readonly format: ValueFormat<V>,
    loggingEnabled: boolean,
    /** Whether values are ValueAndTimestamp (the DSL's stores). */
    readonly timestamped: boolean,
  ) {
    super(name, loggingEnabled);
  }

  get persistent(): boolean {
    return this.inner.persistent;
  }

  get windowSizeMs(): number {
    return this.inner.windowSizeMs;
  }

  init(context: StateStoreContext): void {
    this.attach(context);
    context.register(this, (batch) => {
      for (const change of batch) {
        const parts = WindowKeySchema.fromStoreKey(change.key);
        if (parts) this.inner.put(parts.key, this.format.fromChange(change), parts.windowStartMs);
      }
    });
  }

  put(key: K, value: V | null, windowStartMs: number): void {
    const k = this.keyBytes(this.keySerde, key);
    const stored = value === null ? null : this.format.toStored(this.topic, value);
    this.inner.put(k, stored, windowStartMs);
    if (this.inner.retainDuplicates) this.seq = (this.seq + 1) & 0x7fffffff;
    const change = this.format.toChange(
      WindowKeySchema.toStoreKey(k, windowStartMs, this.seq),
      stored,
      this.recordTimestampMs(),
    );
    this.log(change.key, change.value, change.timestampMs);
  }

  fetch(key: K, windowStartMs: number): V | null;
  fetch(key: K, timeFromMs: number, timeToMs: number): KeyValue<number, V>[];
  fetch(key: K, timeFromMs: number, timeToMs?: number): V | null | KeyValue<number, V>[] {
    const k = this.keyBytes(this.keySerde, key);
    if (timeToMs === undefined) {
      const stored = this.inner.fetch(k, timeFromMs);
      return stored === null ? null : this.format.fromStored(this.topic, stored);
    }
    const out: KeyValue<number, V>[] = [];
    for (const e of this.inner.fetchRange(k, k, timeFromMs, timeToMs)) {
      const value = this.format.fromStored(this.topic, e.value);
      if (value !== null) out.push({ key: e.windowStartMs, value });
    }
    return out;
  }

  fetchAll(timeFromMs: number, timeToMs: number): KeyValue<Windowed<K>, V>[] {
    return this.decode(this.inner.fetchRange(null, null, timeFromMs, timeToMs));
  }

  all(): KeyValue<Windowed<K>, V>[] {
    return this.fetchAll(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
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

  private decode(entries: WindowBytesEntry[]): KeyValue<Windowed<K>, V>[] {
    const out: KeyValue<Windowed<K>, V>[] = [];
    for (const e of entries) {
      const key = this.keySerde.deserialize(this.topic, e.key);
      const value = this.format.fromStored(this.topic, e.value);
      if (key !== null && value !== null)
        out.push({
          key: { key, window: { start: e.windowStartMs, end: e.windowStartMs + this.inner.windowSizeMs } },
          value,
        });
    }
    return out;
  }
}

/**
 * A typed session store over a bytes store (Kafka's MeteredSessionStore and
 * ChangeLoggingSessionBytesStore): each change goes to the changelog keyed as Kafka's
 * SessionKeySchema (key, session end, session start), a removal as a tombstone.
 */
export class SerializedSessionStore<K, AGG> extends LoggedStore implements SessionStore<K, AGG>, StateStore {
  constructor(
    name: string,
    private readonly inner: SessionBytesStore,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<AGG>,
    loggingEnabled: boolean,
  ) {
    super(name, loggingEnabled);
  }

  get persistent(): boolean {
    return this.inner.persistent;
  }

  init(context: StateStoreContext): void {
    this.attach(context);
    context.register(this, (batch) => {
      for (const change of batch) {
        const parts = SessionKeySchema.fromBinary(change.key);
        if (parts) this.inner.put(parts.key, parts.startMs, parts.endMs, change.value);
      }
    });
  }

  put(sessionKey: Windowed<K>, aggregate: AGG | null): void {
    const k = this.keyBytes(this.keySerde, sessionKey.key);
    const { start, end } = sessionKey.window;
    const value = aggregate === null ? null : this.valueSerde.serialize(this.topic, aggregate);
    this.inner.put(k, start, end, value);
    this.log(SessionKeySchema.toBinary(k, start, end), value, this.recordTimestampMs());
  }

  remove(sessionKey: Windowed<K>): void {
    this.put(sessionKey, null);
  }

  findSessions(
    key: K,
    earliestSessionEndMs: number,
    latestSessionStartMs: number,
  ): KeyValue<Windowed<K>, AGG>[] {
    const k = this.keyBytes(this.keySerde, key);
    return this.decode(this.inner.findSessions(k, k, earliestSessionEndMs, latestSessionStartMs));
  }

  fetchSession(key: K, sessionStartMs: number, sessionEndMs: number): AGG | null {
    const stored = this.inner.fetchSession(this.keyBytes(this.keySerde, key), sessionStartMs, sessionEndMs);
    return stored === null ? null : this.valueSerde.deserialize(this.topic, stored);
  }

  fetch(key: K): KeyValue<Windowed<K>, AGG>[] {
    return this.findSessions(key, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }

  /** Every session of every key, by end time, key bytes and start. */
  all(): KeyValue<Windowed<K>, AGG>[] {
    return this.decode(this.inner.findSessions(null, null, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
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

  private decode(entries: SessionBytesEntry[]): KeyValue<Windowed<K>, AGG>[] {
    const out: KeyValue<Windowed<K>, AGG>[] = [];
    for (const e of entries) {
      const key = this.keySerde.deserialize(this.topic, e.key);
      const value = this.valueSerde.deserialize(this.topic, e.value);
      if (key !== null && value !== null)
        out.push({ key: { key, window: { start: e.startMs, end: e.endMs } }, value });
    }
    return out;
  }
}
