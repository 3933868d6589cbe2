import type { ProcessorSupplier } from '../processor/processor.js';
import type { Serde } from '../serdes.js';
import type { StateStore, StoreBuilder } from '../state/state-store.js';
import { describeTopology } from './topology-description.js';
import {
  type StreamPartitioner,
  type TimestampExtractor,
  type TopicNameExtractor,
  TopologyModel,
} from './topology-model.js';

export interface SourceOptions<K, V> {
  key?: Serde<K>;
  value?: Serde<V>;
  timestampExtractor?: TimestampExtractor;
}

export interface SinkOptions<K, V> {
  key?: Serde<K>;
  value?: Serde<V>;
  partitioner?: StreamPartitioner<K, V>;
}

/**
 * Kafka Streams' Topology: the Processor API. Sources read topics, processors process and forward,
 * sinks write topics; stores are connected to the processors that use them. Serdes left out of a
 * source or sink are the application's defaults (defaultKeySerde/defaultValueSerde).
 */
export class Topology {
  /** The nodes, stores and internal topics, read by the runtime and the test driver. */
  readonly model = new TopologyModel();

  addSource<K = unknown, V = unknown>(
    name: string,
    topics: string | readonly string[],
    options: SourceOptions<K, V> = {},
  ): this {
    this.model.addNode({
      kind: 'source',
      name,
      topics: typeof topics === 'string' ? [topics] : [...topics],
      keySerde: (options.key as Serde<unknown> | undefined) ?? null,
      valueSerde: (options.value as Serde<unknown> | undefined) ?? null,
      timestampExtractor: options.timestampExtractor ?? null,
    });
    return this;
  }

  addProcessor<KIn, VIn, KOut, VOut>(
    name: string,
    supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>,
    ...parentNames: string[]
  ): this {
    this.model.addNode({
      kind: 'processor',
      name,
      supplier: supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>,
      parents: parentNames,
      stores: [],
    });
    return this;
  }

  addSink<K = unknown, V = unknown>(
    name: string,
    topic: string | TopicNameExtractor<K, V>,
    parentNames: string | readonly string[],
    options: SinkOptions<K, V> = {},
  ): this {
    this.model.addNode({
      kind: 'sink',
      name,
      topic: topic as string | TopicNameExtractor<unknown, unknown>,
      keySerde: (options.key as Serde<unknown> | undefined) ?? null,
      valueSerde: (options.value as Serde<unknown> | undefined) ?? null,
      partitioner: (options.partitioner as StreamPartitioner<unknown, unknown> | undefined) ?? null,
      parents: typeof parentNames === 'string' ? [parentNames] : [...parentNames],
    });
    return this;
  }

  addStateStore<S extends StateStore>(storeBuilder: StoreBuilder<S>, ...processorNames: string[]): this {
    this.model.addStore(storeBuilder, processorNames);
    return this;
  }

  connectProcessorAndStateStores(processorName: string, ...storeNames: string[]): this {
    this.model.connect([processorName], storeNames);
    return this;
  }

  /** What Kafka's `topology.describe().toString()` prints. */
  describe(): string {
    return describeTopology(this.model);
  }
}
