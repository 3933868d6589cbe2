import type { Serde } from '../serdes.js';
import type { StateStore, StoreBuilder } from '../state/state-store.js';
import { Stores } from '../state/stores.js';
import type { Topology } from '../topology/topology.js';
import { InternalBuilder } from './internal-builder.js';
import { GlobalKTable, KStream, KTable } from './kstream.js';
import type { Consumed, Materialized } from './options.js';
import { storeValueGetter } from './table-join-processors.js';
import { tableSourceProcessor } from './table-processors.js';

/** Kafka Streams' StreamsBuilder: the DSL's entry point; build() gives the Topology to run. */
export class StreamsBuilder {
  private readonly builder = new InternalBuilder();

  /** A stream of one or more topics' records. */
  stream<K = unknown, V = unknown>(
    topics: string | readonly string[],
    consumed: Consumed<K, V> = {},
  ): KStream<K, V> {
    const name = consumed.name ?? this.builder.newProcessorName('KSTREAM-SOURCE-');
    this.builder.topology.addSource(name, topics, consumed);
    return new KStream(this.builder, name, consumed.key ?? null, consumed.value ?? null, false);
  }

  /**
   * A table of a topic: each record an update of its key, a null value a delete. The table is
   * kept in a store only when Materialized names one (or an operation needs it), as in Kafka.
   */
  table<K = unknown, V = unknown>(
    topic: string,
    consumed: Consumed<K, V> = {},
    materialized: Materialized<K, V> = {},
  ): KTable<K, V> {
    const b = this.builder;
    // Kafka's order: the store name (generated `<topic>-STATE-STORE-<n>` when not given), then
    // the source and the table source.
    const storeName = materialized.name ?? b.newStoreName(`${topic}-`);
    const sourceName = consumed.name ? `${consumed.name}-source` : b.newProcessorName('KSTREAM-SOURCE-');
    const tableName = consumed.name ?? b.newProcessorName('KTABLE-SOURCE-');
    b.topology.addSource(sourceName, topic, consumed);
    const keySerde = (materialized.key ?? consumed.key ?? null) as Serde<K> | null;
    const valueSerde = (materialized.value ?? consumed.value ?? null) as Serde<V> | null;
    let stored = false;
    // The store is added when Materialized names one, or later when an operation reads the table
    // (a join), under the generated name `<topic>-STATE-STORE-<n>`, as Kafka materializes a source.
    const materialize = (): string => {
      if (!stored) {
        stored = true;
        b.addKeyValueStore(
          storeName,
          keySerde as Serde<unknown> | null,
          valueSerde as Serde<unknown> | null,
          materialized as Materialized<unknown, unknown>,
          tableName,
        );
      }
      return storeName;
    };
    b.addProcessor(
      tableName,
      tableSourceProcessor<K, V>(() => (stored ? storeName : null)),
      sourceName,
    );
    const queryable = materialized.name !== undefined;
    if (queryable) materialize();
    return new KTable(b, tableName, keySerde, valueSerde, queryable ? storeName : null, null, () =>
      storeValueGetter<K, V>(materialize()),
    );
  }

  /**
   * Kafka's globalTable: the whole topic (every partition) in a store every task of every
   * instance holds, for stream-globalTable joins by any key. The store is named by Materialized
   * or `<topic>-STATE-STORE-<n>`, and filled from the topic before processing starts.
   */
  globalTable<K = unknown, V = unknown>(
    topic: string,
    consumed: Consumed<K, V> = {},
    materialized: Materialized<K, V> = {},
  ): GlobalKTable<K, V> {
    const b = this.builder;
    const storeName = materialized.name ?? b.newStoreName(`${topic}-`);
    const sourceName = b.newProcessorName('KSTREAM-SOURCE-');
    const processorName = b.newProcessorName('KTABLE-SOURCE-');
    const keySerde = (materialized.key ?? consumed.key ?? null) as Serde<unknown> | null;
    const valueSerde = (materialized.value ?? consumed.value ?? null) as Serde<unknown> | null;
    b.addGlobalStore(
      Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore(storeName), keySerde, valueSerde),
      sourceName,
      topic,
      consumed as Consumed<unknown, unknown>,
      processorName,
      tableSourceProcessor<K, V>(() => storeName),
    );
    return new GlobalKTable<K, V>(storeName);
  }

  /** Adds a store for processors added later through the Processor API's names. */
  addStateStore<S extends StateStore>(builder: StoreBuilder<S>): this {
    this.builder.topology.addStateStore(builder);
    return this;
  }

  build(): Topology {
    return this.builder.topology;
  }
}
