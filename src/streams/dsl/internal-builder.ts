import type { ProcessorSupplier } from '../processor/processor.js';
import type { Serde } from '../serdes.js';
import type { StateStore, StoreBuilder } from '../state/state-store.js';
import { Stores } from '../state/stores.js';
import { type SourceOptions, Topology } from '../topology/topology.js';
import type { StreamPartitioner } from '../topology/topology-model.js';
import type { Materialized } from './options.js';
import { passThroughProcessor } from './stream-processors.js';

const REPARTITION_SUFFIX = '-repartition';

function withLogging<S extends StateStore>(
  builder: StoreBuilder<S>,
  materialized: Materialized<unknown, unknown> | undefined,
): StoreBuilder<S> {
  return materialized?.loggingEnabled === false
    ? builder.withLoggingDisabled()
    : builder.withLoggingEnabled(materialized?.logConfig);
}

/**
 * What the DSL classes share: the topology being written and Kafka's name counter. Kafka's
 * InternalStreamsBuilder numbers every generated processor and store name with one counter, so
 * the names (KSTREAM-FILTER-0000000003) and the describe() output match Kafka Streams' for the
 * same program. Nodes are written to the topology as the program creates them, the order in
 * which Kafka writes its graph nodes.
 */
export class InternalBuilder {
  readonly topology = new Topology();
  private index = 0;

  newProcessorName(prefix: string): string {
    return `${prefix}${String(this.index++).padStart(10, '0')}`;
  }

  newStoreName(prefix: string): string {
    return `${prefix}STATE-STORE-${String(this.index++).padStart(10, '0')}`;
  }

  addProcessor(
    name: string,
    supplier: ProcessorSupplier<never, never, unknown, unknown>,
    ...parents: string[]
  ): string {
    this.topology.addProcessor(
      name,
      supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>,
      ...parents,
    );
    return name;
  }

  /**
   * Kafka's MaterializedInternal: the store name is the user's, else one generated from the
   * operation's prefix (which uses up a number of the counter, as in Kafka).
   */
  storeNameFor(materialized: Materialized<unknown, unknown> | undefined, generatedPrefix: string): string {
    return materialized?.storeSupplier?.name ?? materialized?.name ?? this.newStoreName(generatedPrefix);
  }

  /**
   * Adds a timestamped key-value store, with its changelog unless disabled, connected to
   * `processor`: persistent unless the Materialized asks for memory or gives its own supplier, as
   * Kafka's DSL defaults to RocksDB.
   */
  addKeyValueStore(
    name: string,
    keySerde: Serde<unknown> | null,
    valueSerde: Serde<unknown> | null,
    materialized: Materialized<unknown, unknown> | undefined,
    processor: string,
  ): void {
    const supplier =
      materialized?.storeSupplier ??
      (materialized?.storeType === 'in_memory'
        ? Stores.inMemoryKeyValueStore(name)
        : Stores.persistentTimestampedKeyValueStore(name));
    let builder = Stores.timestampedKeyValueStoreBuilder(supplier, keySerde, valueSerde);
    builder =
      materialized?.loggingEnabled === false
        ? builder.withLoggingDisabled()
        : builder.withLoggingEnabled(materialized?.logConfig);
    this.topology.addStateStore(builder, processor);
  }

  /** Adds a timestamped in-memory window store (the DSL's windowed aggregations), connected to `processor`. */
  addWindowStore(
    name: string,
    keySerde: Serde<unknown> | null,
    valueSerde: Serde<unknown> | null,
    materialized: Materialized<unknown, unknown> | undefined,
    processor: string,
    retentionMs: number,
    windowSizeMs: number,
    retainDuplicates: boolean,
  ): void {
    const builder = Stores.timestampedWindowStoreBuilder(
      Stores.inMemoryWindowStore(name, retentionMs, windowSizeMs, retainDuplicates),
      keySerde,
      valueSerde,
    );
    this.topology.addStateStore(withLogging(builder, materialized), processor);
  }

  addSessionStore(
    name: string,
    keySerde: Serde<unknown> | null,
    valueSerde: Serde<unknown> | null,
    materialized: Materialized<unknown, unknown> | undefined,
    processor: string,
    retentionMs: number,
  ): void {
    const builder = Stores.sessionStoreBuilder(
      Stores.inMemorySessionStore(name, retentionMs),
      keySerde,
      valueSerde,
    );
    this.topology.addStateStore(withLogging(builder, materialized), processor);
  }

  /**
   * Kafka's addGlobalStore: a source of the whole topic and the processor that keeps the store,
   * outside every sub-topology; the store has no changelog (its topic is its changelog).
   */
  addGlobalStore(
    builder: StoreBuilder,
    sourceName: string,
    topic: string,
    source: SourceOptions<unknown, unknown>,
    processorName: string,
    supplier: ProcessorSupplier<never, never, unknown, unknown>,
  ): void {
    const model = this.topology.model;
    this.topology.addSource(sourceName, topic, source);
    this.addProcessor(processorName, supplier, sourceName);
    model.globalNodes.add(sourceName);
    model.globalNodes.add(processorName);
    model.globalStores.add(builder.name);
    this.topology.addStateStore(builder.withLoggingDisabled(), processorName);
  }

  /**
   * Kafka's createRepartitionedSource: a pass-through processor, a sink to the repartition topic
   * and a source reading it. Three numbers are used up whatever the names, as in Kafka; the
   * generated names are kept only when the topic prefix is itself generated (KSTREAM-...-<n>).
   * Returns the source's name.
   */
  addRepartition(
    prefix: string,
    parent: string,
    keySerde: Serde<unknown> | null,
    valueSerde: Serde<unknown> | null,
    partitions: number | null,
    partitioner: StreamPartitioner<unknown, unknown> | null,
  ): string {
    const topic = prefix.endsWith(REPARTITION_SUFFIX) ? prefix : prefix + REPARTITION_SUFFIX;
    const genSink = this.newProcessorName('KSTREAM-SINK-');
    const genFilter = this.newProcessorName('KSTREAM-FILTER-');
    const genSource = this.newProcessorName('KSTREAM-SOURCE-');
    const generated = /^KSTREAM.*-[0-9]{10}$/.test(prefix);
    const sink = generated ? genSink : `${topic}-sink`;
    const filter = generated ? genFilter : `${topic}-filter`;
    const source = generated ? genSource : `${topic}-source`;
    this.topology.model.addInternalTopic({ name: topic, partitions });
    this.addProcessor(filter, passThroughProcessor(), parent);
    this.topology.addSink(sink, topic, filter, {
      ...(keySerde ? { key: keySerde } : {}),
      ...(valueSerde ? { value: valueSerde } : {}),
      ...(partitioner ? { partitioner } : {}),
    });
    this.topology.addSource(source, topic, {
      ...(keySerde ? { key: keySerde } : {}),
      ...(valueSerde ? { value: valueSerde } : {}),
    });
    return source;
  }
}
