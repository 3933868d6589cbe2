import type { Serde } from '../serdes.js';
import { StreamsError } from '../streams-error.js';
import { InMemoryKeyValueBytesStore, type KeyValueBytesStore } from './in-memory-bytes-store.js';
import type { KeyValueStore, ValueAndTimestamp } from './key-value-store.js';
import { SerializedKeyValueStore } from './serialized-key-value-store.js';
import type { SerdeDefaults, StoreBuilder } from './state-store.js';

/** Kafka's KeyValueBytesStoreSupplier: a store name and how to make its bytes layer. */
export interface KeyValueBytesStoreSupplier {
  readonly name: string;
  get(): KeyValueBytesStore;
}

type MakeStore<S> = (logging: boolean, defaults: SerdeDefaults | undefined) => S;

class KeyValueStoreBuilder<S extends KeyValueStore<unknown, unknown>> implements StoreBuilder<S> {
  constructor(
    readonly name: string,
    private readonly make: MakeStore<S>,
    readonly loggingEnabled = true,
    readonly logConfig: Readonly<Record<string, string>> = {},
  ) {}

  withLoggingEnabled(config: Record<string, string> = {}): StoreBuilder<S> {
    return new KeyValueStoreBuilder(this.name, this.make, true, { ...config });
  }

  withLoggingDisabled(): StoreBuilder<S> {
    return new KeyValueStoreBuilder(this.name, this.make, false, {});
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
    return new KeyValueStoreBuilder(supplier.name, make) as unknown as StoreBuilder<KeyValueStore<K, V>>;
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
    return new KeyValueStoreBuilder(supplier.name, make) as unknown as StoreBuilder<
      KeyValueStore<K, ValueAndTimestamp<V>>
    >;
  },
} as const;
