import type { Serde } from '../serdes.js';
import { StreamsError } from '../streams-error.js';
import { InMemoryKeyValueBytesStore, type KeyValueBytesStore } from './in-memory-bytes-store.js';
import { InMemorySessionBytesStore, InMemoryWindowBytesStore } from './in-memory-window-store.js';
import type { KeyValueStore, ValueAndTimestamp } from './key-value-store.js';
import { LmdbKeyValueBytesStore } from './lmdb-key-value-bytes-store.js';
import { plainFormat, SerializedKeyValueStore, timestampedFormat } from './serialized-key-value-store.js';
import { SerializedSessionStore, SerializedWindowStore } from './serialized-window-store.js';
import type { SerdeDefaults, StateStore, StoreBuilder } from './state-store.js';
import type { SessionBytesStore, SessionStore, WindowBytesStore, WindowStore } from './window-store.js';

/** Kafka's KeyValueBytesStoreSupplier: a store name and how to make its bytes layer. */
export interface KeyValueBytesStoreSupplier {
  readonly name: string;
  get(): KeyValueBytesStore;
}

/** Kafka's WindowBytesStoreSupplier. */
export interface WindowBytesStoreSupplier {
  readonly name: string;
  readonly retentionPeriodMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  get(): WindowBytesStore;
}

/** Kafka's SessionBytesStoreSupplier. */
export interface SessionBytesStoreSupplier {
  readonly name: string;
  readonly retentionPeriodMs: number;
  get(): SessionBytesStore;
}

function windowBuilder<K, V>(
  supplier: WindowBytesStoreSupplier,
  keySerde: Serde<K> | null,
  valueSerde: Serde<V> | null,
  timestamped: boolean,
): StoreBuilder<WindowStore<K, V>> {
  const make: MakeStore<WindowStore<K, V>> = (logging, defaults) => {
    const values = serdeOrDefault(valueSerde, defaults?.value, supplier.name);
    return new SerializedWindowStore<K, V>(
      supplier.name,
      supplier.get(),
      serdeOrDefault(keySerde, defaults?.key, supplier.name),
      (timestamped ? timestampedFormat(values) : plainFormat(values)) as never,
      logging,
      timestamped,
    );
  };
  return new GenericStoreBuilder(supplier.name, make);
}

function checkRetention(name: string, retentionPeriodMs: number, windowSizeMs: number): void {
  if (!(retentionPeriodMs >= 0) || !(windowSizeMs >= 0))
    throw new StreamsError(
      'CONFIG_INVALID',
      `store ${name}: retention period and window size cannot be negative`,
    );
  if (windowSizeMs > retentionPeriodMs)
    throw new StreamsError(
      'CONFIG_INVALID',
      `The retention period of the window store ${name} must be no smaller than its window size. Got size=[${windowSizeMs}], retention=[${retentionPeriodMs}]`,
    );
}

type MakeStore<S> = (logging: boolean, defaults: SerdeDefaults | undefined) => S;

/** A store builder of any kind: the store is made by `make`, with the logging settings. */
class GenericStoreBuilder<S extends StateStore> implements StoreBuilder<S> {
  constructor(
    readonly name: string,
    private readonly make: MakeStore<S>,
    readonly loggingEnabled = true,
    readonly logConfig: Readonly<Record<string, string>> = {},
  ) {}

  withLoggingEnabled(config: Record<string, string> = {}): StoreBuilder<S> {
    return new GenericStoreBuilder(this.name, this.make, true, { ...config });
  }

  withLoggingDisabled(): StoreBuilder<S> {
    return new GenericStoreBuilder(this.name, this.make, false, {});
  }

  build(defaults?: SerdeDefaults): S {
    return this.make(this.loggingEnabled, defaults);
  }
}

function serdeOrDefault<T>(
  serde: Serde<T> | null,
  fallback: Serde<unknown> | undefined,
  store: string,
): Serde<T> {
  const s = serde ?? (fallback as Serde<T> | undefined);
  if (!s)
    throw new StreamsError(
      'CONFIG_INVALID',
      `store ${store} has no serde and the application gives no default`,
    );
  return s;
}

/**
 * Kafka's Stores factory. A null serde is the application's default (defaultKeySerde,
 * defaultValueSerde), as a null serde in Kafka's store builders is.
 */
export const Stores = {
  inMemoryKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    return { name, get: () => new InMemoryKeyValueBytesStore() };
  },

  /**
   * Kafka's persistentKeyValueStore: on disk under the task's directory (LMDB here, RocksDB in
   * Kafka), kept across restarts; a restart restores only the changelog records after the task's
   * checkpoint.
   */
  persistentKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    return { name, get: () => new LmdbKeyValueBytesStore(name) };
  },

  /** Kafka's persistentTimestampedKeyValueStore: the same store; the builder decides the value format. */
  persistentTimestampedKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    return { name, get: () => new LmdbKeyValueBytesStore(name) };
  },

  keyValueStoreBuilder<K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde: Serde<K> | null,
    valueSerde: Serde<V> | null,
  ): StoreBuilder<KeyValueStore<K, V>> {
    const make: MakeStore<KeyValueStore<K, V>> = (logging, defaults) =>
      SerializedKeyValueStore.plain(
        supplier.name,
        supplier.get(),
        serdeOrDefault(keySerde, defaults?.key, supplier.name),
        serdeOrDefault(valueSerde, defaults?.value, supplier.name),
        logging,
      );
    return new GenericStoreBuilder(supplier.name, make) as unknown as StoreBuilder<KeyValueStore<K, V>>;
  },

  timestampedKeyValueStoreBuilder<K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde: Serde<K> | null,
    valueSerde: Serde<V> | null,
  ): StoreBuilder<KeyValueStore<K, ValueAndTimestamp<V>>> {
    const make: MakeStore<KeyValueStore<K, ValueAndTimestamp<V>>> = (logging, defaults) =>
      SerializedKeyValueStore.timestamped(
        supplier.name,
        supplier.get(),
        serdeOrDefault(keySerde, defaults?.key, supplier.name),
        serdeOrDefault(valueSerde, defaults?.value, supplier.name),
        logging,
      );
    return new GenericStoreBuilder(supplier.name, make) as unknown as StoreBuilder<
      KeyValueStore<K, ValueAndTimestamp<V>>
    >;
  },

  /** Kafka's Stores.inMemoryWindowStore: windows kept for the retention period (at least the window size). */
  inMemoryWindowStore(
    name: string,
    retentionPeriodMs: number,
    windowSizeMs: number,
    retainDuplicates: boolean,
  ): WindowBytesStoreSupplier {
    checkRetention(name, retentionPeriodMs, windowSizeMs);
    return {
      name,
      retentionPeriodMs,
      windowSizeMs,
      retainDuplicates,
      get: () => new InMemoryWindowBytesStore(retentionPeriodMs, windowSizeMs, retainDuplicates),
    };
  },

  /** Kafka's Stores.inMemorySessionStore: sessions kept for the retention period after they end. */
  inMemorySessionStore(name: string, retentionPeriodMs: number): SessionBytesStoreSupplier {
    checkRetention(name, retentionPeriodMs, 0);
    return { name, retentionPeriodMs, get: () => new InMemorySessionBytesStore(retentionPeriodMs) };
  },

  windowStoreBuilder<K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde: Serde<K> | null,
    valueSerde: Serde<V> | null,
  ): StoreBuilder<WindowStore<K, V>> {
    return windowBuilder(supplier, keySerde, valueSerde, false);
  },

  /** The DSL's window stores: each value with the timestamp of the record that last wrote it. */
  timestampedWindowStoreBuilder<K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde: Serde<K> | null,
    valueSerde: Serde<V> | null,
  ): StoreBuilder<WindowStore<K, ValueAndTimestamp<V>>> {
    return windowBuilder(supplier, keySerde, valueSerde, true) as unknown as StoreBuilder<
      WindowStore<K, ValueAndTimestamp<V>>
    >;
  },

  sessionStoreBuilder<K, AGG>(
    supplier: SessionBytesStoreSupplier,
    keySerde: Serde<K> | null,
    valueSerde: Serde<AGG> | null,
  ): StoreBuilder<SessionStore<K, AGG>> {
    const make: MakeStore<SessionStore<K, AGG>> = (logging, defaults) =>
      new SerializedSessionStore<K, AGG>(
        supplier.name,
        supplier.get(),
        serdeOrDefault(keySerde, defaults?.key, supplier.name),
        serdeOrDefault(valueSerde, defaults?.value, supplier.name),
        logging,
      );
    return new GenericStoreBuilder(supplier.name, make);
  },
} as const;
