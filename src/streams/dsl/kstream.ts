import { type Serde, Serdes } from '../serdes.js';
import type { KeyValue } from '../state/key-value-store.js';
import { Stores } from '../state/stores.js';
import type { Windowed } from '../state/window-store.js';
import { StreamsError } from '../streams-error.js';
import type { StreamPartitioner, TopicNameExtractor } from '../topology/topology-model.js';
import type { Change } from './change.js';
import type { InternalBuilder } from './internal-builder.js';
import type { Branched, Grouped, Materialized, Produced, Repartitioned } from './options.js';
import {
  branchProcessor,
  filterProcessor,
  flatMapProcessor,
  flatMapValuesProcessor,
  mapProcessor,
  mapValuesProcessor,
  passThroughProcessor,
  peekProcessor,
} from './stream-processors.js';
import { type Suppressed, suppressProcessor } from './suppress.js';
import {
  aggregateProcessor,
  tableFilterProcessor,
  tableMapValuesProcessor,
  tableToStreamProcessor,
} from './table-processors.js';
import { sessionWindowAggregateProcessor, timeWindowAggregateProcessor } from './window-processors.js';
import { WindowedSerdes } from './windowed-serdes.js';
import { type SessionWindows, TimeWindows } from './windows.js';

// KStream, its split, KGroupedStream and KTable live in one file because each makes the others
// (a grouped stream makes a table, a table's toStream a stream), and src/ has no import cycles.

/**
 * Kafka Streams' KStream: a stream of records. Each operation adds a processor named as Kafka
 * names it (or `named`). An operation that may change the key (map, selectKey, flatMap, groupBy)
 * marks the stream for repartitioning, so a later grouping first writes it through a repartition
 * topic keyed by the new key. Serdes: operations that keep the key or value type keep its serde;
 * where the type may change and no serde is given, the application's default serde is used.
 */
export class KStream<K, V> {
  /** @internal */
  constructor(
    /** @internal */ readonly builder: InternalBuilder,
    /** The processor node this stream is the output of. */
    readonly nodeName: string,
    /** @internal */ readonly keySerde: Serde<K> | null,
    /** @internal */ readonly valueSerde: Serde<V> | null,
    /** @internal */ readonly repartitionRequired: boolean,
  ) {}

  filter(predicate: (key: K, value: V) => boolean, named?: string): KStream<K, V> {
    return this.derive(
      named,
      'KSTREAM-FILTER-',
      filterProcessor(predicate, false),
      this.keySerde,
      this.valueSerde,
      this.repartitionRequired,
    );
  }

  filterNot(predicate: (key: K, value: V) => boolean, named?: string): KStream<K, V> {
    return this.derive(
      named,
      'KSTREAM-FILTER-',
      filterProcessor(predicate, true),
      this.keySerde,
      this.valueSerde,
      this.repartitionRequired,
    );
  }

  selectKey<KR>(mapper: (key: K, value: V) => KR, named?: string): KStream<KR, V> {
    const supplier = mapProcessor<K, V, KR, V>((key, value) => ({ key: mapper(key, value), value }));
    return this.derive(named, 'KSTREAM-KEY-SELECT-', supplier, null, this.valueSerde, true);
  }

  map<KR, VR>(mapper: (key: K, value: V) => KeyValue<KR, VR>, named?: string): KStream<KR, VR> {
    return this.derive(named, 'KSTREAM-MAP-', mapProcessor(mapper), null, null, true);
  }

  /** Maps each value; the mapper also gets the key, which it must not change. */
  mapValues<VR>(mapper: (value: V, key: K) => VR, named?: string): KStream<K, VR> {
    return this.derive(
      named,
      'KSTREAM-MAPVALUES-',
      mapValuesProcessor(mapper),
      this.keySerde,
      null,
      this.repartitionRequired,
    );
  }

  flatMap<KR, VR>(mapper: (key: K, value: V) => Iterable<KeyValue<KR, VR>>, named?: string): KStream<KR, VR> {
    return this.derive(named, 'KSTREAM-FLATMAP-', flatMapProcessor(mapper), null, null, true);
  }

  flatMapValues<VR>(mapper: (value: V, key: K) => Iterable<VR>, named?: string): KStream<K, VR> {
    return this.derive(
      named,
      'KSTREAM-FLATMAPVALUES-',
      flatMapValuesProcessor(mapper),
      this.keySerde,
      null,
      this.repartitionRequired,
    );
  }

  peek(action: (key: K, value: V) => void, named?: string): KStream<K, V> {
    return this.derive(
      named,
      'KSTREAM-PEEK-',
      peekProcessor(action),
      this.keySerde,
      this.valueSerde,
      this.repartitionRequired,
    );
  }

  /** A terminal action per record. */
  foreach(action: (key: K, value: V) => void, named?: string): void {
    const name = named ?? this.builder.newProcessorName('KSTREAM-FOREACH-');
    this.builder.addProcessor(name, peekProcessor(action), this.nodeName);
  }

  /** Kafka's split(): routes each record to the first branch whose predicate it satisfies. */
  split(named?: string): BranchedKStream<K, V> {
    return new BranchedKStream(this, named ?? this.builder.newProcessorName('KSTREAM-BRANCH-'));
  }

  /** Both streams' records, in the order they are processed (no ordering across the two). */
  merge(other: KStream<K, V>, named?: string): KStream<K, V> {
    const name = named ?? this.builder.newProcessorName('KSTREAM-MERGE-');
    this.builder.addProcessor(name, passThroughProcessor(), this.nodeName, other.nodeName);
    // Kafka drops the serdes after a merge; they are kept here when both sides agree.
    return new KStream(
      this.builder,
      name,
      this.keySerde === other.keySerde ? this.keySerde : null,
      this.valueSerde === other.valueSerde ? this.valueSerde : null,
      this.repartitionRequired || other.repartitionRequired,
    );
  }

  /**
   * Writes the stream through `<application.id>-<name>-repartition` and reads it back, keyed by
   * the current key (Kafka's repartition(), KIP-221).
   */
  repartition(repartitioned: Repartitioned<K, V> = {}): KStream<K, V> {
    const prefix = repartitioned.name ?? this.builder.newProcessorName('KSTREAM-REPARTITION-');
    const keySerde = repartitioned.key ?? this.keySerde;
    const valueSerde = repartitioned.value ?? this.valueSerde;
    const source = this.builder.addRepartition(
      prefix,
      this.nodeName,
      keySerde as Serde<unknown> | null,
      valueSerde as Serde<unknown> | null,
      repartitioned.numberOfPartitions ?? null,
      (repartitioned.partitioner as StreamPartitioner<unknown, unknown> | undefined) ?? null,
    );
    return new KStream(this.builder, source, keySerde, valueSerde, false);
  }

  /** Writes the stream to a topic, or to the topic `topic(key, value)` names per record. */
  to(topic: string | TopicNameExtractor<K, V>, produced: Produced<K, V> = {}): void {
    const name = produced.name ?? this.builder.newProcessorName('KSTREAM-SINK-');
    const key = produced.key ?? this.keySerde;
    const value = produced.value ?? this.valueSerde;
    this.builder.topology.addSink(name, topic, this.nodeName, {
      ...(key ? { key } : {}),
      ...(value ? { value } : {}),
      ...(produced.partitioner ? { partitioner: produced.partitioner } : {}),
    });
  }

  /** Groups by the current key; repartitions first if an upstream operation may have changed it. */
  groupByKey(grouped: Grouped<K, V> = {}): KGroupedStream<K, V> {
    return new KGroupedStream(
      this.builder,
      this.nodeName,
      grouped.key ?? this.keySerde,
      grouped.value ?? this.valueSerde,
      this.repartitionRequired,
      grouped.name ?? null,
    );
  }

  /** Groups by a new key: always repartitions, through `<name or store>-repartition`. */
  groupBy<KR>(selector: (key: K, value: V) => KR, grouped: Grouped<KR, V> = {}): KGroupedStream<KR, V> {
    const name = grouped.name ?? this.builder.newProcessorName('KSTREAM-KEY-SELECT-');
    this.builder.addProcessor(
      name,
      mapProcessor<K, V, KR, V>((key, value) => ({ key: selector(key, value), value })),
      this.nodeName,
    );
    return new KGroupedStream(
      this.builder,
      name,
      grouped.key ?? null,
      grouped.value ?? this.valueSerde,
      true,
      grouped.name ?? null,
    );
  }

  private derive<KR, VR>(
    named: string | undefined,
    prefix: string,
    supplier: Parameters<InternalBuilder['addProcessor']>[1],
    keySerde: Serde<KR> | null,
    valueSerde: Serde<VR> | null,
    repartitionRequired: boolean,
  ): KStream<KR, VR> {
    const name = named ?? this.builder.newProcessorName(prefix);
    this.builder.addProcessor(name, supplier, this.nodeName);
    return new KStream(this.builder, name, keySerde, valueSerde, repartitionRequired);
  }
}

/**
 * Kafka's BranchedKStream: split() adds the splitter; each branch() adds a pass-through child named
 * `<splitter><index>` (1-based; the default branch is 0) or `<splitter><Branched.name>`.
 */
export class BranchedKStream<K, V> {
  private readonly predicates: ((key: K, value: V) => boolean)[] = [];
  private readonly childNames: string[] = [];
  private readonly branches: Record<string, KStream<K, V>> = {};

  /** @internal */
  constructor(
    private readonly source: KStream<K, V>,
    private readonly splitterName: string,
  ) {
    source.builder.addProcessor(
      splitterName,
      branchProcessor(this.predicates, this.childNames),
      source.nodeName,
    );
  }

  branch(predicate: (key: K, value: V) => boolean, branched: Branched<KStream<K, V>> = {}): this {
    this.predicates.push(predicate);
    this.createBranch(branched, this.predicates.length);
    return this;
  }

  /** Adds the branch of records no predicate matched and returns the branches by name. */
  defaultBranch(branched: Branched<KStream<K, V>> = {}): Record<string, KStream<K, V>> {
    this.createBranch(branched, 0);
    return this.branches;
  }

  /** Returns the branches by name; records no predicate matched are dropped. */
  noDefaultBranch(): Record<string, KStream<K, V>> {
    return this.branches;
  }

  private createBranch(branched: Branched<KStream<K, V>>, index: number): void {
    const name = this.splitterName + (branched.name ?? String(index));
    const builder = this.source.builder;
    this.childNames.push(name);
    builder.newProcessorName(name); // uses up a number, as Kafka's createBranch does
    builder.addProcessor(name, passThroughProcessor(), this.splitterName);
    const branch = new KStream(
      builder,
      name,
      this.source.keySerde,
      this.source.valueSerde,
      this.source.repartitionRequired,
    );
    if (branched.chain) {
      const out = branched.chain(branch);
      if (out) this.branches[name] = out;
    } else this.branches[name] = branch;
  }
}

/**
 * Kafka's KGroupedStream: records grouped by key, to aggregate into a KTable. When the key may
 * have changed upstream, the aggregation reads them through a repartition topic named after the
 * Grouped name, else after the store (`<store>-repartition`).
 */
export class KGroupedStream<K, V> {
  private repartitionSource: string | null = null;

  /** @internal */
  constructor(
    private readonly builder: InternalBuilder,
    private readonly nodeName: string,
    private readonly keySerde: Serde<K> | null,
    private readonly valueSerde: Serde<V> | null,
    private readonly repartitionRequired: boolean,
    private readonly repartitionName: string | null,
  ) {}

  /** Counts the records per key (records with a null key or value are skipped); values are Longs. */
  count(materialized?: Materialized<K, number>): KTable<K, number> {
    // Kafka's count(Materialized) uses up a number when the store is unnamed, which count() does not.
    if (materialized && materialized.name === undefined) this.builder.newStoreName('KSTREAM-AGGREGATE-');
    return this.build<number>(
      materialized ?? {},
      'KSTREAM-AGGREGATE-',
      materialized?.value ?? Serdes.Long,
      () => 0,
      (_k, _v, n) => n + 1,
    );
  }

  /** Combines the values of a key: the first value as is, then reducer(aggregate, value). */
  reduce(reducer: (aggregate: V, value: V) => V, materialized: Materialized<K, V> = {}): KTable<K, V> {
    return this.build<V>(
      materialized,
      'KSTREAM-REDUCE-',
      materialized.value ?? this.valueSerde,
      null,
      (_k, v, agg) => reducer(agg, v),
    );
  }

  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    materialized: Materialized<K, A> = {},
  ): KTable<K, A> {
    return this.build<A>(
      materialized,
      'KSTREAM-AGGREGATE-',
      materialized.value ?? null,
      initializer,
      aggregator,
    );
  }

  private build<A>(
    materialized: Materialized<K, A>,
    prefix: string,
    valueSerde: Serde<A> | null,
    initializer: (() => A) | null,
    aggregator: (key: K, value: V, aggregate: A) => A,
  ): KTable<K, A> {
    const b = this.builder;
    const storeName = b.storeNameFor(materialized as Materialized<unknown, unknown>, prefix);
    const name = b.newProcessorName(prefix);
    const parent = this.aggregationParent(storeName);
    const keySerde = materialized.key ?? this.keySerde;
    b.addProcessor(name, aggregateProcessor<K, V, A>(storeName, initializer, aggregator), parent);
    b.addKeyValueStore(
      storeName,
      keySerde as Serde<unknown> | null,
      valueSerde as Serde<unknown> | null,
      materialized as Materialized<unknown, unknown>,
      name,
    );
    return new KTable(b, name, keySerde, valueSerde, storeName);
  }

  /**
   * Windowed aggregation: TimeWindows (tumbling, hopping) or SessionWindows, each key's records
   * aggregated per window into a KTable keyed by Windowed<K>.
   */
  windowedBy(windows: TimeWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(
    windows: TimeWindows | SessionWindows,
  ): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    const parent = (storeName: string) => this.aggregationParent(storeName);
    return windows instanceof TimeWindows
      ? new TimeWindowedKStream(this.builder, windows, parent, this.keySerde, this.valueSerde)
      : new SessionWindowedKStream(this.builder, windows, parent, this.keySerde, this.valueSerde);
  }

  /**
   * The node an aggregation reads: the grouping's, or a repartition topic's source when the key
   * may have changed. A named grouping shares its repartition topic between aggregations, as in Kafka.
   */
  private aggregationParent(storeName: string): string {
    if (!this.repartitionRequired) return this.nodeName;
    if (this.repartitionSource === null || this.repartitionName === null)
      this.repartitionSource = this.builder.addRepartition(
        this.repartitionName ?? storeName,
        this.nodeName,
        this.keySerde as Serde<unknown> | null,
        this.valueSerde as Serde<unknown> | null,
        null,
        null,
      );
    return this.repartitionSource;
  }
}

/**
 * Kafka's TimeWindowedKStream: count, reduce and aggregate per key and time window, into a
 * timestamped window store kept for the window size plus grace (or Materialized.retentionMs).
 * Names as Kafka's: KSTREAM-AGGREGATE- / KSTREAM-REDUCE- and their STATE-STORE.
 */
export class TimeWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly builder: InternalBuilder,
    private readonly windows: TimeWindows,
    private readonly parent: (storeName: string) => string,
    private readonly keySerde: Serde<K> | null,
    private readonly valueSerde: Serde<V> | null,
  ) {}

  count(materialized?: Materialized<K, number>): KTable<Windowed<K>, number> {
    // Kafka burns a name for an unnamed Materialized here too (TimeWindowedKStreamImpl.count).
    if (materialized && materialized.name === undefined) this.builder.newStoreName('KSTREAM-AGGREGATE-');
    return this.build<number>(
      materialized ?? {},
      'KSTREAM-AGGREGATE-',
      materialized?.value ?? Serdes.Long,
      () => 0,
      (_k, _v, n) => n + 1,
    );
  }

  reduce(
    reducer: (aggregate: V, value: V) => V,
    materialized: Materialized<K, V> = {},
  ): KTable<Windowed<K>, V> {
    return this.build<V>(
      materialized,
      'KSTREAM-REDUCE-',
      materialized.value ?? this.valueSerde,
      null,
      (_k, v, a) => reducer(a, v),
    );
  }

  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    materialized: Materialized<K, A> = {},
  ): KTable<Windowed<K>, A> {
    return this.build<A>(
      materialized,
      'KSTREAM-AGGREGATE-',
      materialized.value ?? null,
      initializer,
      aggregator,
    );
  }

  private build<A>(
    materialized: Materialized<K, A>,
    prefix: string,
    valueSerde: Serde<A> | null,
    initializer: (() => A) | null,
    aggregator: (key: K, value: V, aggregate: A) => A,
  ): KTable<Windowed<K>, A> {
    const b = this.builder;
    const w = this.windows;
    const storeName = b.storeNameFor(materialized as Materialized<unknown, unknown>, prefix);
    const name = b.newProcessorName(prefix);
    const parent = this.parent(storeName);
    const retentionMs = materialized.retentionMs ?? w.size() + w.gracePeriodMs();
    if (retentionMs < w.size() + w.gracePeriodMs())
      throw new StreamsError(
        'TOPOLOGY_INVALID',
        `The retention period of the window store ${storeName} must be no smaller than its window size plus the grace period. Got size=[${w.size()}], grace=[${w.gracePeriodMs()}], retention=[${retentionMs}]`,
      );
    const keySerde = materialized.key ?? this.keySerde;
    b.addProcessor(
      name,
      timeWindowAggregateProcessor<K, V, A>(w, storeName, initializer, aggregator),
      parent,
    );
    b.addWindowStore(
      storeName,
      keySerde as Serde<unknown> | null,
      valueSerde as Serde<unknown> | null,
      materialized as Materialized<unknown, unknown>,
      name,
      retentionMs,
      w.size(),
      false,
    );
    return new KTable(
      b,
      name,
      keySerde ? WindowedSerdes.timeWindowedSerdeFrom(keySerde, w.size()) : null,
      valueSerde,
      storeName,
      { graceMs: w.gracePeriodMs(), sizeMs: w.size() },
    );
  }
}

/**
 * Kafka's SessionWindowedKStream: count, reduce and aggregate per key and session, into a
 * session store kept for the inactivity gap plus grace (or Materialized.retentionMs).
 */
export class SessionWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly builder: InternalBuilder,
    private readonly windows: SessionWindows,
    private readonly parent: (storeName: string) => string,
    private readonly keySerde: Serde<K> | null,
    private readonly valueSerde: Serde<V> | null,
  ) {}

  count(materialized?: Materialized<K, number>): KTable<Windowed<K>, number> {
    if (materialized && materialized.name === undefined) this.builder.newStoreName('KSTREAM-AGGREGATE-');
    return this.build<number>(
      materialized ?? {},
      'KSTREAM-AGGREGATE-',
      materialized?.value ?? Serdes.Long,
      () => 0,
      (_k, _v, n) => n + 1,
      (_k, a, b) => a + b,
    );
  }

  reduce(
    reducer: (aggregate: V, value: V) => V,
    materialized: Materialized<K, V> = {},
  ): KTable<Windowed<K>, V> {
    return this.build<V>(
      materialized,
      'KSTREAM-REDUCE-',
      materialized.value ?? this.valueSerde,
      null,
      (_k, v, a) => reducer(a, v),
      (_k, a, b) => reducer(a, b),
    );
  }

  /** `merger` combines the aggregates of two sessions a record joins into one. */
  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    merger: (key: K, aggregate1: A, aggregate2: A) => A,
    materialized: Materialized<K, A> = {},
  ): KTable<Windowed<K>, A> {
    return this.build<A>(
      materialized,
      'KSTREAM-AGGREGATE-',
      materialized.value ?? null,
      initializer,
      aggregator,
      merger,
    );
  }

  private build<A>(
    materialized: Materialized<K, A>,
    prefix: string,
    valueSerde: Serde<A> | null,
    initializer: (() => A) | null,
    aggregator: (key: K, value: V, aggregate: A) => A,
    merger: (key: K, aggregate1: A, aggregate2: A) => A,
  ): KTable<Windowed<K>, A> {
    const b = this.builder;
    const w = this.windows;
    const storeName = b.storeNameFor(materialized as Materialized<unknown, unknown>, prefix);
    const name = b.newProcessorName(prefix);
    const parent = this.parent(storeName);
    const minRetention = w.inactivityGap() + w.gracePeriodMs();
    const retentionMs = materialized.retentionMs ?? minRetention;
    if (retentionMs < minRetention)
      throw new StreamsError(
        'TOPOLOGY_INVALID',
        `The retention period of the session store ${storeName} must be no smaller than the session inactivity gap plus the grace period. Got gap=[${w.inactivityGap()}], grace=[${w.gracePeriodMs()}], retention=[${retentionMs}]`,
      );
    const keySerde = materialized.key ?? this.keySerde;
    b.addProcessor(
      name,
      sessionWindowAggregateProcessor<K, V, A>(w, storeName, initializer, aggregator, merger),
      parent,
    );
    b.addSessionStore(
      storeName,
      keySerde as Serde<unknown> | null,
      valueSerde as Serde<unknown> | null,
      materialized as Materialized<unknown, unknown>,
      name,
      retentionMs,
    );
    return new KTable(
      b,
      name,
      keySerde ? WindowedSerdes.sessionWindowedSerdeFrom(keySerde) : null,
      valueSerde,
      storeName,
      { graceMs: w.inactivityGap() + w.gracePeriodMs(), sizeMs: null },
    );
  }
}

/** What a windowed KTable knows of its windows, for suppress(untilWindowCloses). */
interface WindowInfo {
  /** How long after a window's end it may still change: grace (sessions: gap + grace). */
  readonly graceMs: number;
  /** The size of time windows; null for sessions. */
  readonly sizeMs: number | null;
}

/**
 * Kafka's KTable: a changelog stream read as a table, the latest value per key. Updates flow as
 * changes; a null value is a tombstone that deletes the key downstream.
 */
export class KTable<K, V> {
  /** @internal */
  constructor(
    /** @internal */ readonly builder: InternalBuilder,
    readonly nodeName: string,
    /** @internal */ readonly keySerde: Serde<K> | null,
    /** @internal */ readonly valueSerde: Serde<V> | null,
    /** The store holding the table, when it is materialized (its queryable name). */
    readonly storeName: string | null,
    /** @internal Set on the tables of windowed aggregations and the tables derived from them. */
    readonly windowInfo: WindowInfo | null = null,
  ) {}

  /**
   * Kafka's suppress: holds updates back. Suppressed.untilWindowCloses emits each window's final
   * result once stream time passes its end plus the grace period (a windowed table only);
   * Suppressed.untilTimeLimit emits a key's latest value a time after its first held update.
   */
  suppress(suppressed: Suppressed<K>): KTable<K, V> {
    const b = this.builder;
    const window = this.windowInfo;
    if (suppressed.kind === 'window-close' && window === null)
      throw new StreamsError(
        'TOPOLOGY_INVALID',
        'suppress(untilWindowCloses) applies only to a windowed KTable (the result of a windowed aggregation)',
      );
    const name = suppressed.name ?? b.newProcessorName('KTABLE-SUPPRESS-');
    const storeName =
      suppressed.name !== null ? `${suppressed.name}-store` : b.newStoreName('KTABLE-SUPPRESS-');
    const keySerde = this.keySerde;
    const valueSerde = this.valueSerde;
    // A windowed table without a key serde uses the application's default inside the windowed one.
    const keys = (defaultKey: Serde<unknown>): Serde<K> =>
      keySerde ??
      ((window === null
        ? defaultKey
        : window.sizeMs === null
          ? WindowedSerdes.sessionWindowedSerdeFrom(defaultKey)
          : WindowedSerdes.timeWindowedSerdeFrom(defaultKey, window.sizeMs)) as Serde<K>);
    const values = (defaultValue: Serde<unknown>): Serde<V> => valueSerde ?? (defaultValue as Serde<V>);
    b.addProcessor(
      name,
      suppressProcessor<K, V>(suppressed, window?.graceMs ?? 0, storeName, keys, values),
      this.nodeName,
    );
    b.topology.addStateStore(
      Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(storeName),
        Serdes.ByteArray,
        Serdes.ByteArray,
      ),
      name,
    );
    return new KTable(b, name, keySerde, valueSerde, null, window);
  }

  /** Keeps rows whose value satisfies the predicate; an update that fails it deletes the key downstream. */
  filter(
    predicate: (key: K, value: V) => boolean,
    materialized?: Materialized<K, V>,
    named?: string,
  ): KTable<K, V> {
    return this.deriveTable(named, 'KTABLE-FILTER-', materialized, this.valueSerde, (store) =>
      tableFilterProcessor(predicate, false, store),
    );
  }

  filterNot(
    predicate: (key: K, value: V) => boolean,
    materialized?: Materialized<K, V>,
    named?: string,
  ): KTable<K, V> {
    return this.deriveTable(named, 'KTABLE-FILTER-', materialized, this.valueSerde, (store) =>
      tableFilterProcessor(predicate, true, store),
    );
  }

  mapValues<VR>(
    mapper: (value: V, key: K) => VR,
    materialized?: Materialized<K, VR>,
    named?: string,
  ): KTable<K, VR> {
    return this.deriveTable<VR>(named, 'KTABLE-MAPVALUES-', materialized, null, (store) =>
      tableMapValuesProcessor(mapper, store),
    );
  }

  /** The table's updates as a stream; a deleted key is a record with a null value. */
  toStream(named?: string): KStream<K, V | null> {
    const name = named ?? this.builder.newProcessorName('KTABLE-TOSTREAM-');
    this.builder.addProcessor(name, tableToStreamProcessor<K, V>(), this.nodeName);
    return new KStream<K, V | null>(
      this.builder,
      name,
      this.keySerde,
      this.valueSerde as Serde<V | null> | null,
      false,
    );
  }

  private deriveTable<VR>(
    named: string | undefined,
    prefix: string,
    materialized: Materialized<K, VR> | undefined,
    defaultValueSerde: Serde<VR> | null,
    supplier: (storeName: string | null) => ReturnType<typeof tableFilterProcessor>,
  ): KTable<K, VR> {
    const b = this.builder;
    // Kafka materializes only a named store, but an unnamed Materialized still uses up a number
    // before the processor is named (KTableImpl.doFilter, doMapValues).
    if (materialized && materialized.name === undefined) b.newStoreName(prefix);
    const storeName = materialized?.name ?? null;
    const name = named ?? b.newProcessorName(prefix);
    b.addProcessor(name, supplier(storeName), this.nodeName);
    const keySerde = materialized?.key ?? this.keySerde;
    const valueSerde = materialized?.value ?? defaultValueSerde;
    if (storeName !== null)
      b.addKeyValueStore(
        storeName,
        keySerde as Serde<unknown> | null,
        valueSerde as Serde<unknown> | null,
        materialized as Materialized<unknown, unknown>,
        name,
      );
    return new KTable(b, name, keySerde, valueSerde, storeName, this.windowInfo);
  }
}

export type { Change };
