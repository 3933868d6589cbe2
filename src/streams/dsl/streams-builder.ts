import type { Serde } from '../serdes.js';
import type { StateStore, StoreBuilder } from '../state/state-store.js';
import type { Topology } from '../topology/topology.js';
import { InternalBuilder } from './internal-builder.js';
import { KStream, KTable } from './kstream.js';
import type { Consumed, Materialized } from './options.js';
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
    const queryable = materialized.name !== undefined;
    const sourceName = consumed.name ? `${consumed.name}-source` : b.newProcessorName('KSTREAM-SOURCE-');
    const tableName = consumed.name ?? b.newProcessorName('KTABLE-SOURCE-');
    b.topology.addSource(sourceName, topic, consumed);
    const keySerde = (materialized.key ?? consumed.key ?? null) as Serde<K> | null;
    const valueSerde = (materialized.value ?? consumed.value ?? null) as Serde<V> | null;
    b.addProcessor(
      tableName,
      tableSourceProcessor<K, V>(() => (queryable ? storeName : null)),
      sourceName,
    );
    if (queryable)
      b.addKeyValueStore(
        storeName,
        keySerde as Serde<unknown> | null,
        valueSerde as Serde<unknown> | null,
        materialized as Materialized<unknown, unknown>,
        tableName,
      );
    return new KTable(b, tableName, keySerde, valueSerde, queryable ? storeName : null);
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
