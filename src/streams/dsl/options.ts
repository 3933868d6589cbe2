import type { Serde } from '../serdes.js';
import type { KeyValueBytesStoreSupplier } from '../state/stores.js';
import type { StreamPartitioner, TimestampExtractor } from '../topology/topology-model.js';

/** Kafka's Consumed: how a source reads its topic. */
export interface Consumed<K, V> {
  key?: Serde<K>;
  value?: Serde<V>;
  /** The source node's name instead of KSTREAM-SOURCE-<n>. */
  name?: string;
  timestampExtractor?: TimestampExtractor;
}

/** Kafka's Produced: how a sink writes its topic. */
export interface Produced<K, V> {
  key?: Serde<K>;
  value?: Serde<V>;
  /** The sink node's name instead of KSTREAM-SINK-<n>. */
  name?: string;
  partitioner?: StreamPartitioner<K, V>;
}

/** Kafka's Grouped: the serdes of a grouping's repartition topic and its name. */
export interface Grouped<K, V> {
  key?: Serde<K>;
  value?: Serde<V>;
  /** Names the key-selecting processor and the repartition topic `<name>-repartition`. */
  name?: string;
}

/** Kafka's Materialized: a KTable's store. */
export interface Materialized<K, V> {
  /** The store's name: makes it queryable and names its changelog `<application.id>-<name>-changelog`. */
  name?: string;
  key?: Serde<K>;
  value?: Serde<V>;
  /** Whether the store has a changelog topic (default true). */
  loggingEnabled?: boolean;
  /**
   * Kafka's Materialized.withStoreType (KIP-591): 'persistent' (the default, Kafka's ROCKS_DB) keeps
   * the store on disk under state.dir; 'in_memory' keeps it in memory, rebuilt from the changelog.
   */
  storeType?: 'persistent' | 'in_memory';
  /** Kafka's Materialized.as(KeyValueBytesStoreSupplier): the store to use; its name wins over `name`. */
  storeSupplier?: KeyValueBytesStoreSupplier;
  /** Topic configs of the changelog beyond cleanup.policy=compact. */
  logConfig?: Record<string, string>;
  /**
   * Window and session stores: how long windows are kept (Materialized.withRetention); default
   * and minimum the window size (or inactivity gap) plus the grace period.
   */
  retentionMs?: number;
}

/** Kafka's Repartitioned: an explicit repartition through `<application.id>-<name>-repartition`. */
export interface Repartitioned<K, V> {
  name?: string;
  key?: Serde<K>;
  value?: Serde<V>;
  numberOfPartitions?: number;
  partitioner?: StreamPartitioner<K, V>;
}

/** Kafka's Branched: one branch of split(). */
export interface Branched<KS> {
  /** Suffix of the branch's name (the splitter's name plus this, instead of its index). */
  name?: string;
  /**
   * Kafka's Branched.withFunction / withConsumer: builds on the branch; what it returns is the
   * branch in the result map, and a branch whose chain returns nothing is left out of it.
   */
  chain?: (branch: KS) => KS | undefined;
}

/** Kafka's StreamJoined: the serdes and names of a stream-stream join's stores. */
export interface StreamJoined<K, V, VO> {
  key?: Serde<K>;
  value?: Serde<V>;
  otherValue?: Serde<VO>;
  /** Names the join's processors (`<name>-this-windowed`, `-this-join`, `-merge`…) and repartition topics. */
  name?: string;
  /** Names the stores `<storeName>-this-join-store`, `-other-join-store` instead of generated names. */
  storeName?: string;
  /** Whether the stores have changelogs (default true). */
  loggingEnabled?: boolean;
}

/** Kafka's Joined: the serdes and name of a stream-table join. */
export interface Joined<K, V, VO> {
  key?: Serde<K>;
  value?: Serde<V>;
  otherValue?: Serde<VO>;
  /** The join processor's name, and the repartition topic's prefix. */
  name?: string;
}
