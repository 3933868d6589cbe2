import { type Serde, Serdes } from '../serdes.js';
import type { KeyValue } from '../state/key-value-store.js';
import type { StateStore, StoreBuilder } from '../state/state-store.js';
import { Stores } from '../state/stores.js';
import type { Windowed } from '../state/window-store.js';
import { StreamsError } from '../streams-error.js';
import type { StreamPartitioner, TopicNameExtractor } from '../topology/topology-model.js';
import type { Change } from './change.js';
import type { InternalBuilder } from './internal-builder.js';
import type {
  Branched,
  Grouped,
  Joined,
  Materialized,
  Produced,
  Repartitioned,
  StreamJoined,
} from './options.js';
import { slidingWindowAggregateProcessor } from './sliding-window-processor.js';
import { joinWindowProcessor, SharedTimeSupplier, streamJoinProcessor } from './stream-join-processors.js';
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
  derivedValueGetter,
  storeValueGetter,
  streamTableJoinProcessor,
  type TableJoinKind,
  type TableValueGetter,
  tableJoinProcessor,
  tableJoinValueGetter,
} from './table-join-processors.js';
import {
  aggregateProcessor,
  materializing,
  tableFilterProcessor,
  tableMapValuesProcessor,
  tableToStreamProcessor,
} from './table-processors.js';
import { sessionWindowAggregateProcessor, timeWindowAggregateProcessor } from './window-processors.js';
import { WindowedSerdes } from './windowed-serdes.js';
import { JoinWindows, type SessionWindows, SlidingWindows, TimeWindows } from './windows.js';

/** A join's value joiner as the processors call it: (left value, right value, key). */
type Joiner<K, V, VO, VR> = (value: V, otherValue: VO, key: K) => VR;

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

  /**
   * Kafka's KStream.join. With another stream and JoinWindows: each pair of records of one key
   * whose timestamps are within the window, `joiner(value, otherValue, key)`, timestamped with the
   * later of the two. With a table: each record joined with the table's current value for its key
   * (records the table lacks are dropped). Inputs must be co-partitioned; a stream whose key may
   * have changed is repartitioned first.
   */
  join<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V, otherValue: VO, key: K) => VR,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  join<VT, VR>(
    table: KTable<K, VT>,
    joiner: (value: V, tableValue: VT, key: K) => VR,
    joined?: Joined<K, V, VT>,
  ): KStream<K, VR>;
  join<KG, VG, VR>(
    globalTable: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG,
    joiner: (value: V, globalValue: VG, key: K) => VR,
    named?: string,
  ): KStream<K, VR>;
  join<VO, VR>(
    other: KStream<K, VO> | KTable<K, VO> | GlobalKTable<unknown, VO>,
    joiner: ((value: V, otherValue: VO, key: K) => VR) | ((key: K, value: V) => unknown),
    windowsOrJoined?: JoinWindows | Joined<K, V, VO> | ((value: V, globalValue: VO, key: K) => VR),
    streamJoined: StreamJoined<K, V, VO> | string = {},
  ): KStream<K, VR> {
    if (other instanceof GlobalKTable)
      return this.globalJoin(
        other,
        joiner as (k: K, v: V) => unknown,
        windowsOrJoined as Joiner<K, V, VO, VR>,
        false,
        streamJoined as string | undefined,
      );
    return this.dispatchJoin(
      other,
      joiner as Joiner<K, V, VO, VR>,
      windowsOrJoined as JoinWindows | Joined<K, V, VO> | undefined,
      streamJoined as StreamJoined<K, V, VO>,
      'inner',
    );
  }

  /**
   * Kafka's KStream.leftJoin. With a stream: as join, and a record that found no match in its
   * window is joined with null once the window has closed (Kafka 3.x: no early null results).
   * With a table: every record, joined with the table's value or null.
   */
  leftJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V, otherValue: VO | null, key: K) => VR,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  leftJoin<VT, VR>(
    table: KTable<K, VT>,
    joiner: (value: V, tableValue: VT | null, key: K) => VR,
    joined?: Joined<K, V, VT>,
  ): KStream<K, VR>;
  leftJoin<KG, VG, VR>(
    globalTable: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG | null,
    joiner: (value: V, globalValue: VG | null, key: K) => VR,
    named?: string,
  ): KStream<K, VR>;
  leftJoin<VO, VR>(
    other: KStream<K, VO> | KTable<K, VO> | GlobalKTable<unknown, VO>,
    joiner: ((value: V, otherValue: VO | null, key: K) => VR) | ((key: K, value: V) => unknown),
    windowsOrJoined?: JoinWindows | Joined<K, V, VO> | ((value: V, globalValue: VO | null, key: K) => VR),
    streamJoined: StreamJoined<K, V, VO> | string = {},
  ): KStream<K, VR> {
    if (other instanceof GlobalKTable)
      return this.globalJoin(
        other,
        joiner as (k: K, v: V) => unknown,
        windowsOrJoined as Joiner<K, V, VO, VR>,
        true,
        streamJoined as string | undefined,
      );
    return this.dispatchJoin(
      other,
      joiner as Joiner<K, V, VO, VR>,
      windowsOrJoined as JoinWindows | Joined<K, V, VO> | undefined,
      streamJoined as StreamJoined<K, V, VO>,
      'left',
    );
  }

  /**
   * Kafka's stream-globalTable join: each record looks up `keySelector(key, value)` in the global
   * table, which holds every partition, so nothing is repartitioned or co-partitioned.
   */
  private globalJoin<VG, VR>(
    table: GlobalKTable<unknown, VG>,
    keySelector: (key: K, value: V) => unknown,
    joiner: Joiner<K, V, VG, VR>,
    left: boolean,
    named: string | undefined,
  ): KStream<K, VR> {
    const b = this.builder;
    const name =
      (typeof named === 'string' ? named : undefined) ??
      b.newProcessorName(left ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-');
    b.addProcessor(
      name,
      streamTableJoinProcessor<K, V, unknown, VG, VR>(
        storeValueGetter<unknown, VG>(table.storeName),
        left,
        joiner as (v: V, t: VG | null, k: K) => VR,
        keySelector,
      ),
      this.nodeName,
    );
    // Not connected: every processor may read a global store, and Kafka's describe() lists none.
    return new KStream(b, name, this.keySerde, null, this.repartitionRequired);
  }

  /** Kafka's KStream.outerJoin: as leftJoin, for the records of both streams. */
  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V | null, otherValue: VO | null, key: K) => VR,
    windows: JoinWindows,
    streamJoined: StreamJoined<K, V, VO> = {},
  ): KStream<K, VR> {
    return this.streamJoin(other, joiner as Joiner<K, V, VO, VR>, windows, streamJoined, 'outer');
  }

  private dispatchJoin<VO, VR>(
    other: KStream<K, VO> | KTable<K, VO>,
    joiner: Joiner<K, V, VO, VR>,
    windowsOrJoined: JoinWindows | Joined<K, V, VO> | undefined,
    streamJoined: StreamJoined<K, V, VO>,
    kind: 'inner' | 'left',
  ): KStream<K, VR> {
    if (other instanceof KStream) {
      if (!(windowsOrJoined instanceof JoinWindows))
        throw new StreamsError('TOPOLOGY_INVALID', 'a stream-stream join needs JoinWindows');
      return this.streamJoin(other, joiner, windowsOrJoined, streamJoined, kind);
    }
    const joined = (windowsOrJoined ?? {}) as Joined<K, V, VO>;
    let stream: KStream<K, V> = this;
    if (this.repartitionRequired)
      stream = this.repartitionForJoin(
        joined.name ?? this.nodeName,
        joined.key ?? this.keySerde,
        joined.value ?? this.valueSerde,
      );
    const b = this.builder;
    const name = joined.name ?? b.newProcessorName(kind === 'left' ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-');
    const getter = other.valueGetter();
    b.addProcessor(
      name,
      streamTableJoinProcessor<K, V, K, VO, VR>(
        getter,
        kind === 'left',
        joiner as (v: V, t: VO | null, k: K) => VR,
      ),
      stream.nodeName,
    );
    b.topology.model.connect([name], getter.storeNames());
    b.topology.model.copartitionGroups.push([stream.nodeName, other.nodeName]);
    return new KStream(b, name, joined.key ?? this.keySerde, null, false);
  }

  /**
   * Kafka's KStreamImplJoin: each side's records go through KSTREAM-WINDOWED- into its window
   * store (`<KSTREAM-JOINTHIS-n>-store`, `<KSTREAM-JOINOTHER-n>-store`, kept for the window plus
   * grace, duplicates retained); KSTREAM-JOINTHIS-/JOINOTHER- (OUTERTHIS-/OUTEROTHER- for outer
   * sides) look up the other side's store; KSTREAM-MERGE- unites the results. Left and outer joins
   * share KSTREAM-OUTERSHARED-n-store, where unmatched records wait for their window to close.
   */
  private streamJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: Joiner<K, V, VO, VR>,
    windows: JoinWindows,
    sj: StreamJoined<K, V, VO>,
    kind: 'inner' | 'left' | 'outer',
  ): KStream<K, VR> {
    const b = this.builder;
    const keySerde = sj.key ?? this.keySerde ?? other.keySerde;
    let left: KStream<K, V> = this;
    let right: KStream<K, VO> = other;
    // Kafka names the topics after the join's name plus -left / -right, else after the node.
    if (left.repartitionRequired)
      left = left.repartitionForJoin(
        sj.name ? `${sj.name}-left` : left.nodeName,
        keySerde,
        sj.value ?? left.valueSerde,
      );
    if (right.repartitionRequired)
      right = right.repartitionForJoin(
        sj.name ? `${sj.name}-right` : right.nodeName,
        keySerde,
        sj.otherValue ?? right.valueSerde,
      );
    const leftOuter = kind !== 'inner';
    const rightOuter = kind === 'outer';
    const thisSuffix = rightOuter ? '-outer-this-join' : '-this-join';
    const otherSuffix = leftOuter ? '-outer-other-join' : '-other-join';
    const thisWindowed = sj.name ? `${sj.name}-this-windowed` : b.newProcessorName('KSTREAM-WINDOWED-');
    const otherWindowed = sj.name ? `${sj.name}-other-windowed` : b.newProcessorName('KSTREAM-WINDOWED-');
    const thisGenerated = b.newProcessorName(rightOuter ? 'KSTREAM-OUTERTHIS-' : 'KSTREAM-JOINTHIS-');
    const otherGenerated = b.newProcessorName(leftOuter ? 'KSTREAM-OUTEROTHER-' : 'KSTREAM-JOINOTHER-');
    const thisJoin = sj.name ? sj.name + thisSuffix : thisGenerated;
    const otherJoin = sj.name ? sj.name + otherSuffix : otherGenerated;
    const merge = sj.name ? `${sj.name}-merge` : b.newProcessorName('KSTREAM-MERGE-');
    const thisStore = `${sj.storeName ? sj.storeName + thisSuffix : thisGenerated}-store`;
    const otherStore = `${sj.storeName ? sj.storeName + otherSuffix : otherGenerated}-store`;
    const outerStore = !leftOuter
      ? null
      : `${
          sj.storeName
            ? sj.storeName + (rightOuter ? '-outer-shared-join' : '-left-shared-join')
            : `KSTREAM-OUTERSHARED-${thisGenerated.slice(thisGenerated.lastIndexOf('-') + 1)}`
        }-store`;

    b.addProcessor(thisWindowed, joinWindowProcessor<K, V>(thisStore), left.nodeName);
    b.addProcessor(otherWindowed, joinWindowProcessor<K, VO>(otherStore), right.nodeName);
    const time = new SharedTimeSupplier();
    const leftValues = sj.value ?? left.valueSerde;
    const rightValues = sj.otherValue ?? right.valueSerde;
    const serdes = {
      keySerde: (d: Serde<unknown>) => (keySerde ?? d) as Serde<K>,
      leftValueSerde: (d: Serde<unknown>) => (leftValues ?? d) as Serde<unknown>,
      rightValueSerde: (d: Serde<unknown>) => (rightValues ?? d) as Serde<unknown>,
    };
    const common = {
      outerStoreName: outerStore,
      windowsBeforeMs: windows.beforeMs,
      windowsAfterMs: windows.afterMs,
      graceMs: windows.gracePeriodMs(),
      joiner: joiner as (l: unknown, r: unknown, k: K) => VR,
      time,
      ...serdes,
    };
    b.addProcessor(
      thisJoin,
      streamJoinProcessor<K, V, VO, VR>({
        ...common,
        otherStoreName: otherStore,
        isLeftSide: true,
        outer: leftOuter,
        beforeMs: windows.beforeMs,
        afterMs: windows.afterMs,
      }),
      thisWindowed,
    );
    b.addProcessor(
      otherJoin,
      streamJoinProcessor<K, VO, V, VR>({
        ...common,
        otherStoreName: thisStore,
        isLeftSide: false,
        outer: rightOuter,
        beforeMs: windows.afterMs,
        afterMs: windows.beforeMs,
      }),
      otherWindowed,
    );
    b.addProcessor(merge, passThroughProcessor(), thisJoin, otherJoin);
    const retentionMs = windows.size() + windows.gracePeriodMs();
    const logged = <S extends StateStore>(builder: StoreBuilder<S>): StoreBuilder<S> =>
      sj.loggingEnabled === false ? builder.withLoggingDisabled() : builder;
    b.topology.addStateStore(
      logged(
        Stores.windowStoreBuilder(
          Stores.inMemoryWindowStore(thisStore, retentionMs, windows.size(), true),
          keySerde,
          leftValues,
        ),
      ),
      thisWindowed,
      otherJoin,
    );
    b.topology.addStateStore(
      logged(
        Stores.windowStoreBuilder(
          Stores.inMemoryWindowStore(otherStore, retentionMs, windows.size(), true),
          keySerde,
          rightValues,
        ),
      ),
      otherWindowed,
      thisJoin,
    );
    if (outerStore !== null)
      b.topology.addStateStore(
        logged(
          Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(outerStore),
            Serdes.ByteArray,
            Serdes.ByteArray,
          ),
        ),
        thisJoin,
        otherJoin,
      );
    b.topology.model.copartitionGroups.push([thisWindowed, otherWindowed]);
    return new KStream(b, merge, keySerde, null, false);
  }

  /** Kafka's repartitionForJoin: through `<prefix>-repartition`, keyed by the current key. */
  private repartitionForJoin(
    prefix: string,
    keySerde: Serde<K> | null,
    valueSerde: Serde<V> | null,
  ): KStream<K, V> {
    const source = this.builder.addRepartition(
      prefix,
      this.nodeName,
      keySerde as Serde<unknown> | null,
      valueSerde as Serde<unknown> | null,
      null,
      null,
    );
    return new KStream(this.builder, source, keySerde, valueSerde, false);
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
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(
    windows: TimeWindows | SlidingWindows | SessionWindows,
  ): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    const parent = (storeName: string) => this.aggregationParent(storeName);
    return windows instanceof TimeWindows || windows instanceof SlidingWindows
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
 * Kafka's TimeWindowedKStream (and SlidingWindowedKStream, for SlidingWindows): count, reduce
 * and aggregate per key and time window, into a
 * timestamped window store kept for the window size plus grace (or Materialized.retentionMs).
 * Names as Kafka's: KSTREAM-AGGREGATE- / KSTREAM-REDUCE- and their STATE-STORE.
 */
export class TimeWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly builder: InternalBuilder,
    private readonly windows: TimeWindows | SlidingWindows,
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
    // Sliding windows need the windows up to twice the time difference back (Kafka's
    // SlidingWindowStoreMaterializer); time windows their size plus grace.
    const sliding = w instanceof SlidingWindows;
    const sizeMs = w instanceof SlidingWindows ? w.timeDifferenceMs : w.size();
    const minRetentionMs = (sliding ? 2 * sizeMs : sizeMs) + w.gracePeriodMs();
    const retentionMs = materialized.retentionMs ?? minRetentionMs;
    if (retentionMs < minRetentionMs)
      throw new StreamsError(
        'TOPOLOGY_INVALID',
        `The retention period of the window store ${storeName} must be no smaller than ${sliding ? 'twice the time difference' : 'its window size'} plus the grace period. Got size=[${sizeMs}], grace=[${w.gracePeriodMs()}], retention=[${retentionMs}]`,
      );
    const keySerde = materialized.key ?? this.keySerde;
    b.addProcessor(
      name,
      w instanceof SlidingWindows
        ? slidingWindowAggregateProcessor<K, V, A>(w, storeName, initializer, aggregator)
        : timeWindowAggregateProcessor<K, V, A>(w, storeName, initializer, aggregator),
      parent,
    );
    b.addWindowStore(
      storeName,
      keySerde as Serde<unknown> | null,
      valueSerde as Serde<unknown> | null,
      materialized as Materialized<unknown, unknown>,
      name,
      retentionMs,
      sizeMs,
      false,
    );
    return new KTable(
      b,
      name,
      keySerde ? WindowedSerdes.timeWindowedSerdeFrom(keySerde, sizeMs) : null,
      valueSerde,
      storeName,
      { graceMs: w.gracePeriodMs(), sizeMs },
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
    /** @internal How operations read the table's values when it has no store of its own. */
    private readonly getterFactory: (() => TableValueGetter<K, V>) | null = null,
  ) {}

  /**
   * @internal Kafka's valueGetterSupplier: reads the table's store, or derives the value through
   * the parents' (a source table is materialized on first use).
   */
  valueGetter(): TableValueGetter<K, V> {
    if (this.windowInfo === null && this.storeName !== null) return storeValueGetter<K, V>(this.storeName);
    if (this.getterFactory !== null) return this.getterFactory();
    throw new StreamsError(
      'TOPOLOGY_INVALID',
      `KTable ${this.nodeName} cannot be read by key: a windowed table or a suppressed one cannot be joined`,
    );
  }

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
    return new KTable(b, name, keySerde, valueSerde, null, window, () => this.valueGetter());
  }

  /** Keeps rows whose value satisfies the predicate; an update that fails it deletes the key downstream. */
  filter(
    predicate: (key: K, value: V) => boolean,
    materialized?: Materialized<K, V>,
    named?: string,
  ): KTable<K, V> {
    return this.deriveTable(
      named,
      'KTABLE-FILTER-',
      materialized,
      this.valueSerde,
      (store) => tableFilterProcessor(predicate, false, store),
      () => derivedValueGetter(this.valueGetter(), (k, v) => (predicate(k, v) ? v : null)),
    );
  }

  filterNot(
    predicate: (key: K, value: V) => boolean,
    materialized?: Materialized<K, V>,
    named?: string,
  ): KTable<K, V> {
    return this.deriveTable(
      named,
      'KTABLE-FILTER-',
      materialized,
      this.valueSerde,
      (store) => tableFilterProcessor(predicate, true, store),
      () => derivedValueGetter(this.valueGetter(), (k, v) => (predicate(k, v) ? null : v)),
    );
  }

  mapValues<VR>(
    mapper: (value: V, key: K) => VR,
    materialized?: Materialized<K, VR>,
    named?: string,
  ): KTable<K, VR> {
    return this.deriveTable<VR>(
      named,
      'KTABLE-MAPVALUES-',
      materialized,
      null,
      (store) => tableMapValuesProcessor(mapper, store),
      () => derivedValueGetter(this.valueGetter(), (k, v) => mapper(v, k)),
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
    getter: () => TableValueGetter<K, VR>,
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
    return new KTable(b, name, keySerde, valueSerde, storeName, this.windowInfo, getter);
  }

  /** Kafka's KTable.join: a key is in the result while it is in both tables; `joiner(value, otherValue)`. */
  join<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V, otherValue: VO) => VR,
    materialized?: Materialized<K, VR>,
    named?: string,
  ): KTable<K, VR> {
    return this.tableJoin(other, 'inner', joiner as (v: V | null, o: VO | null) => VR, materialized, named);
  }

  /** Kafka's KTable.leftJoin: every key of this table, joined with the other's value or null. */
  leftJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V, otherValue: VO | null) => VR,
    materialized?: Materialized<K, VR>,
    named?: string,
  ): KTable<K, VR> {
    return this.tableJoin(other, 'left', joiner as (v: V | null, o: VO | null) => VR, materialized, named);
  }

  /** Kafka's KTable.outerJoin: every key of either table. */
  outerJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V | null, otherValue: VO | null) => VR,
    materialized?: Materialized<K, VR>,
    named?: string,
  ): KTable<K, VR> {
    return this.tableJoin(other, 'outer', joiner, materialized, named);
  }

  /**
   * Kafka's KTableImpl.doJoin: KTABLE-JOINTHIS- reads updates of this table against the other's
   * values, KTABLE-JOINOTHER- the other way round, KTABLE-MERGE- unites them (and keeps the
   * result when materialized). The tables must be co-partitioned.
   */
  private tableJoin<VO, VR>(
    other: KTable<K, VO>,
    kind: TableJoinKind,
    joiner: (value: V | null, otherValue: VO | null) => VR,
    materialized: Materialized<K, VR> | undefined,
    named: string | undefined,
  ): KTable<K, VR> {
    const b = this.builder;
    const thisName = named ? `${named}-join-this` : b.newProcessorName('KTABLE-JOINTHIS-');
    const otherName = named ? `${named}-join-other` : b.newProcessorName('KTABLE-JOINOTHER-');
    const mergeName = named ?? b.newProcessorName('KTABLE-MERGE-');
    const thisGetter = this.valueGetter();
    const otherGetter = other.valueGetter();
    const j = joiner as (l: unknown, r: unknown) => VR;
    b.addProcessor(thisName, tableJoinProcessor<K, V, VO, VR>(kind, true, otherGetter, j), this.nodeName);
    b.topology.model.connect([thisName], otherGetter.storeNames());
    b.addProcessor(otherName, tableJoinProcessor<K, VO, V, VR>(kind, false, thisGetter, j), other.nodeName);
    b.topology.model.connect([otherName], thisGetter.storeNames());
    if (materialized && materialized.name === undefined) b.newStoreName('KTABLE-MERGE-');
    const storeName = materialized?.name ?? null;
    b.addProcessor(
      mergeName,
      materializing<K, VR>(storeName, (r) => r.value as Change<VR>),
      thisName,
      otherName,
    );
    const keySerde = materialized?.key ?? this.keySerde;
    const valueSerde = materialized?.value ?? null;
    if (storeName !== null)
      b.addKeyValueStore(
        storeName,
        keySerde as Serde<unknown> | null,
        valueSerde as Serde<unknown> | null,
        materialized as Materialized<unknown, unknown>,
        mergeName,
      );
    b.topology.model.copartitionGroups.push([this.nodeName, other.nodeName]);
    return new KTable<K, VR>(b, mergeName, keySerde, valueSerde, storeName, null, () =>
      tableJoinValueGetter(kind, this.valueGetter(), other.valueGetter(), joiner),
    );
  }
}

/**
 * Kafka's GlobalKTable: a table of every partition of its topic, held whole by every instance
 * (StreamsBuilder.globalTable); streams join it by any key they choose.
 */
export class GlobalKTable<K, V> {
  /** Unused: the key and value types. */
  declare readonly types?: [K, V];

  /** @internal */
  constructor(
    /** The global store holding the table. */
    readonly storeName: string,
  ) {}

  queryableStoreName(): string {
    return this.storeName;
  }
}

export type { Change };
