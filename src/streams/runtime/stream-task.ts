import type { Logger } from '../../common/logger.js';
import type { DeserializationExceptionHandler, ProductionExceptionHandler } from '../exception-handlers.js';
import type {
  Cancellable,
  Processor,
  ProcessorContext,
  PunctuationType,
  Punctuator,
  TaskId,
} from '../processor/processor.js';
import { taskIdString } from '../processor/processor.js';
import type { Header, RecordMetadata, StreamRecord } from '../processor/stream-record.js';
import type { Serde } from '../serdes.js';
import {
  type ChangelogRecord,
  changelogTopicName,
  type StateStore,
  type StateStoreContext,
} from '../state/state-store.js';
import { StreamsError } from '../streams-error.js';
import type {
  AnyRecord,
  ProcessorNodeDef,
  SinkNodeDef,
  SourceNodeDef,
  TopologyModel,
} from '../topology/topology-model.js';
import { PunctuationQueue } from './punctuation-queue.js';
import type { RecordCollector } from './record-collector.js';

/** What a task needs from its application. */
export interface TaskSettings {
  readonly applicationId: string;
  readonly defaultKeySerde: Serde<unknown>;
  readonly defaultValueSerde: Serde<unknown>;
  readonly collector: RecordCollector;
  readonly wallClockMs: () => number;
  readonly logger: Logger;
  /** The global stores (GlobalKTable), shared by every task and kept by their owner, not the task. */
  readonly globalStores?: ReadonlyMap<string, StateStore>;
  /** `<state.dir>/<application.id>/<task id>` for persistent stores; null when the application has none. */
  readonly taskDir?: string | null;
  /** default.deserialization.exception.handler (LogAndFail when not given). */
  readonly deserializationExceptionHandler?: DeserializationExceptionHandler;
  /** default.production.exception.handler, for records a sink cannot serialize (FAIL when not given). */
  readonly productionExceptionHandler?: ProductionExceptionHandler;
}

/** An input record as the consumer hands it over: bytes, where it came from, its timestamp. */
export interface InputRecord {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: readonly Header[];
}

type Node =
  | { def: SourceNodeDef; children: string[] }
  | { def: ProcessorNodeDef; children: string[]; processor: Processor<unknown, unknown, unknown, unknown> }
  | { def: SinkNodeDef; children: string[] };

/**
 * One task: a sub-topology's processors and stores for one partition of its inputs, as Kafka's
 * StreamTask. It processes a record through the nodes depth-first (a forward runs the child before
 * returning, as in Kafka), keeps the task's stream time (the largest timestamp processed) and runs
 * stream-time and wall-clock punctuators.
 */
export class StreamTask {
  readonly id: TaskId;
  private readonly nodes = new Map<string, Node>();
  private readonly stores = new Map<string, StateStore>();
  private readonly restorers = new Map<string, (batch: readonly ChangelogRecord[]) => void>();
  private readonly sourceByTopic = new Map<string, SourceNodeDef>();
  private readonly streamTimePunctuations = new PunctuationQueue();
  private readonly wallClockPunctuations = new PunctuationQueue();
  private streamTime = -1;
  private current: { metadata: RecordMetadata | null; timestamp: number } = { metadata: null, timestamp: -1 };
  private currentNode: string | null = null;
  commitRequested = false;
  /** Records processors skipped (Kafka's dropped-records-total of stream-task-metrics). */
  droppedRecordsTotal = 0;

  constructor(
    id: TaskId,
    private readonly model: TopologyModel,
    nodeNames: readonly string[],
    private readonly settings: TaskSettings,
    /** The topic's name as the cluster knows it: internal topics get the application id prefix. */
    readonly resolveTopic: (topic: string) => string,
  ) {
    this.id = id;
    const children = model.children();
    for (const name of nodeNames) {
      const def = model.nodes.get(name)!;
      const kids = children.get(name) ?? [];
      if (def.kind === 'processor') this.nodes.set(name, { def, children: kids, processor: def.supplier() });
      else this.nodes.set(name, { def, children: kids } as Node);
      if (def.kind === 'source') for (const t of def.topics) this.sourceByTopic.set(resolveTopic(t), def);
      if (def.kind === 'processor')
        for (const store of def.stores)
          if (!this.stores.has(store) && !model.globalStores.has(store))
            this.stores.set(
              store,
              model.storeBuilders
                .get(store)!
                .build({ key: settings.defaultKeySerde, value: settings.defaultValueSerde }),
            );
    }
  }

  /** The topics this task reads, as the cluster names them. */
  get inputTopics(): string[] {
    return [...this.sourceByTopic.keys()];
  }

  get storeNames(): string[] {
    return [...this.stores.keys()];
  }

  store(name: string): StateStore | null {
    return this.stores.get(name) ?? this.settings.globalStores?.get(name) ?? null;
  }

  /** The stores' changelog topics (logging enabled) with their store names and whether they persist. */
  changelogTopics(): { store: string; topic: string; persistent: boolean }[] {
    return this.storeNames
      .filter((s) => this.model.storeBuilders.get(s)!.loggingEnabled)
      .map((store) => ({
        store,
        topic: changelogTopicName(this.settings.applicationId, store),
        persistent: this.stores.get(store)!.persistent,
      }));
  }

  /** Whether any store keeps its data on disk (then the task has a directory and a checkpoint). */
  get hasPersistentStores(): boolean {
    return [...this.stores.values()].some((s) => s.persistent);
  }

  /** Deletes a store's data before it is restored from its changelog's beginning. */
  wipeStore(name: string): void {
    this.stores.get(name)?.wipe?.();
  }

  /** Opens the stores and the processors, for a task whose stores need no restoring. */
  initialize(): void {
    this.initializeStores();
    this.initializeProcessors();
  }

  /**
   * Opens the stores, which register their restore callbacks: the runtime replays their changelogs
   * (restore) before initializeProcessors, as Kafka restores a task before it processes.
   */
  initializeStores(): void {
    const storeContext: StateStoreContext = {
      applicationId: this.settings.applicationId,
      taskId: this.id,
      taskDir: this.settings.taskDir ?? null,
      recordTimestampMs: () => this.current.timestamp,
      logChange: (storeName, change) =>
        this.settings.collector.send({
          topic: changelogTopicName(this.settings.applicationId, storeName),
          partition: this.id.partition,
          key: change.key,
          value: change.value,
          timestamp: change.timestampMs,
          headers: [],
        }),
      register: (store, restore) => this.restorers.set(store.name, restore),
    };
    for (const store of this.stores.values()) store.init(storeContext);
  }

  initializeProcessors(): void {
    for (const node of this.nodes.values())
      if ('processor' in node) {
        this.currentNode = node.def.name;
        try {
          node.processor.init?.(this.contextFor(node.def));
        } finally {
          this.currentNode = null;
        }
      }
  }

  /** Replays changelog records into a store before processing starts. */
  restore(storeName: string, batch: readonly ChangelogRecord[]): void {
    this.restorers.get(storeName)?.(batch);
  }

  currentStreamTimeMs(): number {
    return this.streamTime;
  }

  /** Deserializes the record at its source and runs it through the sub-topology. */
  process(input: InputRecord): void {
    const source = this.sourceByTopic.get(input.topic);
    if (!source)
      throw new StreamsError(
        'ILLEGAL_STATE',
        `task ${taskIdString(this.id)} has no source for ${input.topic}`,
      );
    let key: unknown;
    let value: unknown;
    try {
      key = (source.keySerde ?? this.settings.defaultKeySerde).deserialize(input.topic, input.key);
      value = (source.valueSerde ?? this.settings.defaultValueSerde).deserialize(input.topic, input.value);
    } catch (err) {
      this.handleDeserializationError(source, input, err as Error);
      return;
    }
    const timestamp = source.timestampExtractor
      ? source.timestampExtractor({ ...input, key, value })
      : input.timestamp;
    if (timestamp < 0) {
      // Kafka's default LogAndSkipOnInvalidTimestamp: a record without a valid timestamp is dropped.
      this.settings.logger.warn(
        { topic: input.topic, partition: input.partition, offset: input.offset.toString(), timestamp },
        'skipping record with invalid timestamp',
      );
      return;
    }
    if (timestamp > this.streamTime) this.streamTime = timestamp;
    this.current = {
      metadata: { topic: input.topic, partition: input.partition, offset: input.offset },
      timestamp,
    };
    try {
      this.runChildren(
        this.nodes.get(source.name)!,
        { key, value, timestamp, headers: input.headers },
        undefined,
      );
    } finally {
      this.current = { metadata: null, timestamp: -1 };
    }
  }

  /**
   * Kafka's RecordDeserializer: the handler decides whether the thread fails (LogAndFail, the
   * default) or the record is skipped (LogAndContinue), its offset committed as if processed.
   */
  private handleDeserializationError(source: SourceNodeDef, input: InputRecord, err: Error): void {
    const context = {
      topic: input.topic,
      partition: input.partition,
      offset: input.offset,
      taskId: taskIdString(this.id),
      processorNodeId: source.name,
    };
    let response: 'CONTINUE' | 'FAIL' = 'FAIL';
    try {
      response = this.settings.deserializationExceptionHandler?.handle(context, input, err) ?? 'FAIL';
    } catch (handlerErr) {
      throw new StreamsError('HANDLER_FAILED', 'the deserialization exception handler threw', {
        cause: handlerErr,
      });
    }
    const fields = {
      topic: input.topic,
      partition: input.partition,
      offset: input.offset.toString(),
      err: err.message,
    };
    if (response === 'CONTINUE') {
      this.settings.logger.warn(fields, 'skipping record that could not be deserialized');
      return;
    }
    this.settings.logger.error(fields, 'record could not be deserialized; the handler says FAIL');
    throw new StreamsError(
      'DESERIALIZATION_FAILED',
      `Deserialization exception handler is set to fail upon a deserialization error: ${input.topic}-${input.partition} offset ${input.offset}: ${err.message}`,
      { cause: err },
    );
  }

  /** Runs the stream-time punctuators due at the current stream time. */
  maybePunctuateStreamTime(): boolean {
    if (this.streamTime < 0) return false;
    return this.streamTimePunctuations.maybePunctuate(this.streamTime, (node, p, t) =>
      this.punctuate(node, p, t),
    );
  }

  maybePunctuateSystemTime(): boolean {
    const now = this.settings.wallClockMs();
    return this.wallClockPunctuations.maybePunctuate(now, (node, p, t) => this.punctuate(node, p, t));
  }

  flush(): void {
    for (const store of this.stores.values()) store.flush();
  }

  /**
   * Closes the processors and stores. Closed dirty (`clean` false: the task migrated or failed),
   * stores forget what they did not flush, so their files stay as of the last commit.
   */
  close(clean = true): void {
    for (const node of this.nodes.values()) if ('processor' in node) node.processor.close?.();
    for (const store of this.stores.values()) {
      if (!clean) store.discard?.();
      store.close();
    }
  }

  private punctuate(node: string, punctuator: Punctuator, timeMs: number): void {
    const previous = this.currentNode;
    this.currentNode = node;
    // Kafka gives records forwarded from a punctuator the punctuation time as their timestamp default.
    this.current = { metadata: null, timestamp: timeMs };
    try {
      punctuator(timeMs);
    } finally {
      this.currentNode = previous;
      this.current = { metadata: null, timestamp: -1 };
    }
  }

  private runChildren(node: Node, record: AnyRecord, childName: string | undefined): void {
    if (childName !== undefined) {
      if (!node.children.includes(childName))
        throw new StreamsError(
          'ILLEGAL_STATE',
          `Unknown downstream node: ${childName} either does not exist or is not connected to this processor.`,
        );
      this.runNode(childName, record);
      return;
    }
    for (const child of node.children) this.runNode(child, record);
  }

  private runNode(name: string, record: AnyRecord): void {
    const node = this.nodes.get(name)!;
    const previous = this.currentNode;
    const previousTimestamp = this.current.timestamp;
    this.currentNode = name;
    // Stores log changes with the timestamp of the record being processed by the node writing them.
    this.current.timestamp = record.timestamp;
    try {
      if ('processor' in node) node.processor.process(record);
      else if (node.def.kind === 'sink') this.sink(node.def, record);
    } finally {
      this.currentNode = previous;
      this.current.timestamp = previousTimestamp;
    }
  }

  private sink(def: SinkNodeDef, record: AnyRecord): void {
    const topic = this.resolveTopic(
      typeof def.topic === 'string'
        ? def.topic
        : def.topic(record.key, record.value, { topic: this.current.metadata?.topic ?? null }),
    );
    const keySerde = def.keySerde ?? this.settings.defaultKeySerde;
    const valueSerde = def.valueSerde ?? this.settings.defaultValueSerde;
    let key: Buffer | null;
    let value: Buffer | null;
    try {
      key = keySerde.serialize(topic, record.key);
      value = valueSerde.serialize(topic, record.value);
    } catch (cause) {
      const error = new StreamsError(
        'SERIALIZATION_FAILED',
        `sink ${def.name} could not serialize a record for topic ${topic} with key serde ${keySerde.name} and value serde ${valueSerde.name}`,
        { cause },
      );
      const metadata = this.current.metadata;
      const handler = this.settings.productionExceptionHandler?.handleSerializationException;
      const response = handler
        ? handler.call(
            this.settings.productionExceptionHandler,
            {
              topic: metadata?.topic ?? '',
              partition: metadata?.partition ?? -1,
              offset: metadata?.offset ?? -1n,
              taskId: taskIdString(this.id),
              processorNodeId: def.name,
            },
            {
              topic,
              partition: undefined,
              key: record.key,
              value: record.value,
              timestamp: record.timestamp,
            },
            error,
          )
        : 'FAIL';
      if (response === 'FAIL') throw error;
      // KIP-399: the production exception handler chose to drop the record.
      this.settings.logger.warn(
        { topic, sink: def.name, err: error.message },
        'skipping record that could not be serialized',
      );
      return;
    }
    let partition: number | undefined;
    if (def.partitioner) {
      const count = this.settings.collector.partitionsFor(topic);
      if (count !== null) partition = def.partitioner(topic, record.key, record.value, count);
    }
    this.settings.collector.send({
      topic,
      partition,
      key,
      value,
      timestamp: record.timestamp,
      headers: record.headers,
    });
  }

  private contextFor(def: ProcessorNodeDef): ProcessorContext<unknown, unknown> {
    const task = this;
    return {
      applicationId: this.settings.applicationId,
      taskId: this.id,
      logger: this.settings.logger.child({ task: taskIdString(this.id), processor: def.name }),
      recordMetadata: () => task.current.metadata,
      forward(record: StreamRecord<unknown, unknown>, childName?: string) {
        task.runChildren(task.nodes.get(def.name)!, record, childName);
      },
      schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
        if (!(intervalMs >= 1))
          throw new StreamsError(
            'CONFIG_INVALID',
            'The minimum supported scheduling interval is 1 millisecond.',
          );
        // Kafka aligns stream-time punctuation to 0 (it fires at the first record) and wall-clock
        // punctuation to now plus one interval.
        return type === 'STREAM_TIME'
          ? task.streamTimePunctuations.schedule(0, intervalMs, def.name, punctuator)
          : task.wallClockPunctuations.schedule(
              task.settings.wallClockMs() + intervalMs,
              intervalMs,
              def.name,
              punctuator,
            );
      },
      getStateStore<S>(name: string): S {
        // Global stores are open to every processor, connected or not, as in Kafka.
        const global = task.settings.globalStores?.get(name);
        if (global) return global as S;
        if (!def.stores.includes(name))
          throw new StreamsError(
            'STORE_UNAVAILABLE',
            `Processor ${def.name} has no access to StateStore ${name} as the store is not connected to the processor.`,
          );
        return task.stores.get(name) as S;
      },
      commit() {
        task.commitRequested = true;
      },
      recordDroppedRecord() {
        task.droppedRecordsTotal++;
      },
      currentStreamTimeMs: () => task.streamTime,
      currentSystemTimeMs: () => task.settings.wallClockMs(),
      keySerde: () => task.settings.defaultKeySerde,
      valueSerde: () => task.settings.defaultValueSerde,
    };
  }
}
