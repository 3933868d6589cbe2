import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, noopLogger } from '../../common/logger.js';
import type { Header } from '../processor/stream-record.js';
import { GlobalState } from '../runtime/global-state.js';
import type { CollectedRecord } from '../runtime/record-collector.js';
import { StreamTask } from '../runtime/stream-task.js';
import { type Serde, Serdes } from '../serdes.js';
import type { KeyValue, KeyValueStore, ValueAndTimestamp } from '../state/key-value-store.js';
import { SerializedKeyValueStore } from '../state/serialized-key-value-store.js';
import { SerializedSessionStore, SerializedWindowStore } from '../state/serialized-window-store.js';
import type { StateStore } from '../state/state-store.js';
import type { SessionStore, WindowStore } from '../state/window-store.js';
import { StreamsError } from '../streams-error.js';
import type { Topology } from '../topology/topology.js';
import { type RecordPipe, TestInputTopic, type TestInputTopicOptions } from './test-input-topic.js';
import { type OutputQueues, TestOutputTopic } from './test-output-topic.js';

export interface TopologyTestDriverConfig {
  /** application.id; internal topics are prefixed with it (default "topology-test-driver"). */
  applicationId?: string;
  /** The serde of keys where the topology gives none (default Serdes.String, as KafkaStreams'). */
  defaultKeySerde?: Serde<unknown>;
  /** The serde of values where the topology gives none (default Serdes.String). */
  defaultValueSerde?: Serde<unknown>;
  /** The mocked wall-clock time at start (default: now). */
  initialWallClockTimeMs?: number;
  logger?: Logger;
}

/**
 * Kafka's TopologyTestDriver: runs a topology without a broker. Piped records are processed at
 * once; what the sinks write is kept per topic for TestOutputTopic, and records written to a
 * topic the topology reads (repartition topics, through-topics) are processed in turn. Like
 * Kafka's, it runs the whole topology as one task (0_0) with one stream time, and moves the wall
 * clock only when told to.
 */
export class TopologyTestDriver implements RecordPipe, OutputQueues {
  private readonly task: StreamTask;
  private readonly global: GlobalState;
  private readonly outputs = new Map<string, CollectedRecord[]>();
  /** What the task wrote since the last capture. */
  private readonly written: CollectedRecord[] = [];
  /** Records written to topics the topology reads, waiting to be processed. */
  private readonly pending: CollectedRecord[] = [];
  private readonly offsets = new Map<string, bigint>();
  private readonly applicationId: string;
  private readonly internalTopics: Set<string>;
  private wallClockMs: number;
  private closed = false;
  private readonly stateDir = join(tmpdir(), `strom-streams-test-${randomUUID()}`);

  constructor(topology: Topology, config: TopologyTestDriverConfig = {}) {
    this.applicationId = config.applicationId ?? 'topology-test-driver';
    this.wallClockMs = config.initialWallClockTimeMs ?? Date.now();
    const model = topology.model;
    this.internalTopics = new Set([...model.internalTopics.keys()].map((t) => `${this.applicationId}-${t}`));
    const collector = {
      send: (record: CollectedRecord) => this.written.push(record),
      partitionsFor: () => 1,
    };
    const settings = {
      applicationId: this.applicationId,
      defaultKeySerde: config.defaultKeySerde ?? Serdes.String,
      defaultValueSerde: config.defaultValueSerde ?? Serdes.String,
      collector,
      wallClockMs: () => this.wallClockMs,
      logger: config.logger ?? noopLogger,
      // Persistent stores get a directory of their own, removed by close(), as Kafka's driver
      // gives its task a temporary state.dir.
      taskDir: this.stateDir,
    };
    // Global tables are kept apart, as in Kafka's driver: records piped to their topics update
    // the global stores, which the task reads.
    this.global = new GlobalState(model, settings);
    this.task = new StreamTask(
      { subtopology: 0, partition: 0 },
      model,
      [...model.nodes.keys()].filter((n) => !model.globalNodes.has(n)),
      { ...settings, globalStores: this.global.stores },
      (topic) => (model.internalTopics.has(topic) ? `${this.applicationId}-${topic}` : topic),
    );
    this.task.initialize();
    this.capture();
  }

  createInputTopic<K, V>(
    topic: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    options: TestInputTopicOptions = {},
  ): TestInputTopic<K, V> {
    return new TestInputTopic(
      this,
      topic,
      keySerde,
      valueSerde,
      options.startTimestampMs ?? this.wallClockMs,
      options.autoAdvanceMs ?? 0,
    );
  }

  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(this, topic, keySerde, valueSerde);
  }

  /** Processes one record of `topic` (serialized), then everything it causes. */
  pipeRecord(
    topic: string,
    record: { key: Buffer | null; value: Buffer | null; timestamp: number; headers?: readonly Header[] },
  ): void {
    this.checkOpen();
    if (this.global.topics.includes(topic)) {
      const offset = this.offsets.get(topic) ?? 0n;
      this.offsets.set(topic, offset + 1n);
      this.global.process({
        topic,
        partition: 0,
        offset,
        timestamp: record.timestamp,
        key: record.key,
        value: record.value,
        headers: record.headers ?? [],
      });
      return;
    }
    if (!this.task.inputTopics.includes(topic))
      throw new StreamsError('ILLEGAL_STATE', `Unknown topic: ${topic}`);
    this.processInput(topic, record.key, record.value, record.timestamp, record.headers ?? []);
    this.drain();
  }

  /** Moves the mocked wall clock and runs the wall-clock punctuators due. */
  advanceWallClockTime(ms: number): void {
    this.checkOpen();
    this.wallClockMs += ms;
    this.task.maybePunctuateSystemTime();
    this.capture();
    this.drain();
  }

  /** The topics the topology wrote to, internal ones included, as Kafka's producedTopicNames. */
  producedTopicNames(): Set<string> {
    return new Set(this.outputs.keys());
  }

  /**
   * The task's metrics, as Kafka's TopologyTestDriver.metrics(): dropped-records-total of
   * stream-task-metrics counts records skipped (late for their window, null keys).
   */
  metrics(): { name: string; group: string; tags: Record<string, string>; value: number }[] {
    return [
      {
        name: 'dropped-records-total',
        group: 'stream-task-metrics',
        tags: { 'task-id': '0_0' },
        value: this.task.droppedRecordsTotal,
      },
    ];
  }

  getStateStore(name: string): StateStore | null {
    return this.task.store(name);
  }

  /**
   * A key-value store by name. For the DSL's timestamped stores it reads the values without their
   * timestamps, as Kafka's getKeyValueStore does; getTimestampedKeyValueStore gives both.
   */
  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> | null {
    const store = this.task.store(name);
    if (store === null) return null;
    if (store instanceof SerializedKeyValueStore && store.timestamped)
      return new PlainValues<K, V>(store as KeyValueStore<K, ValueAndTimestamp<V>>);
    return store as KeyValueStore<K, V>;
  }

  /** A window store by name; the DSL's are timestamped (values with their record timestamps). */
  getWindowStore<K, V>(name: string): WindowStore<K, V> | null {
    const store = this.task.store(name);
    return store instanceof SerializedWindowStore ? (store as WindowStore<K, V>) : null;
  }

  getSessionStore<K, V>(name: string): SessionStore<K, V> | null {
    const store = this.task.store(name);
    return store instanceof SerializedSessionStore ? (store as SessionStore<K, V>) : null;
  }

  getTimestampedKeyValueStore<K, V>(name: string): KeyValueStore<K, ValueAndTimestamp<V>> | null {
    const store = this.task.store(name);
    return store instanceof SerializedKeyValueStore && store.timestamped
      ? (store as KeyValueStore<K, ValueAndTimestamp<V>>)
      : null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.task.flush();
    this.task.close();
    this.global.close();
    rmSync(this.stateDir, { recursive: true, force: true });
  }

  /** @internal read by TestOutputTopic */
  takeOutput(topic: string): CollectedRecord | undefined {
    return this.outputs.get(topic)?.shift();
  }

  /** @internal */
  outputSize(topic: string): number {
    return this.outputs.get(topic)?.length ?? 0;
  }

  private processInput(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: readonly Header[],
  ): void {
    const offset = this.offsets.get(topic) ?? 0n;
    this.offsets.set(topic, offset + 1n);
    this.task.process({ topic, partition: 0, offset, timestamp, key, value, headers });
    this.task.maybePunctuateStreamTime();
    this.capture();
  }

  /** Feeds records written to topics the topology reads back into it, in the order written. */
  private drain(): void {
    for (;;) {
      const next = this.pending.shift();
      if (!next) return;
      this.processInput(next.topic, next.key, next.value, next.timestamp, next.headers);
    }
  }

  /** Sorts the task's output: changelogs are dropped, repartition topics are queued, the rest kept. */
  private capture(): void {
    const written = this.written.splice(0);
    for (const record of written) {
      if (record.topic.endsWith('-changelog') && record.topic.startsWith(`${this.applicationId}-`)) continue;
      if (!this.internalTopics.has(record.topic)) {
        let list = this.outputs.get(record.topic);
        if (!list) {
          list = [];
          this.outputs.set(record.topic, list);
        }
        list.push(record);
      }
      if (this.task.inputTopics.includes(record.topic)) this.pending.push(record);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new StreamsError('ILLEGAL_STATE', 'the TopologyTestDriver is closed');
  }
}

/**
 * A timestamped store read and written as plain values (Kafka's KeyValueStoreFacade): a value
 * put through it has no timestamp (-1, Kafka's NO_TIMESTAMP).
 */
class PlainValues<K, V> implements KeyValueStore<K, V> {
  constructor(private readonly store: KeyValueStore<K, ValueAndTimestamp<V>>) {}
  get name(): string {
    return this.store.name;
  }
  get persistent(): boolean {
    return this.store.persistent;
  }
  init(): void {}
  flush(): void {
    this.store.flush();
  }
  close(): void {}
  get(key: K): V | null {
    return this.store.get(key)?.value ?? null;
  }
  range(from: K, to: K): KeyValue<K, V>[] {
    return this.store.range(from, to).map((e) => ({ key: e.key, value: e.value.value }));
  }
  all(): KeyValue<K, V>[] {
    return this.store.all().map((e) => ({ key: e.key, value: e.value.value }));
  }
  approximateNumEntries(): number {
    return this.store.approximateNumEntries();
  }
  put(key: K, value: V | null): void {
    this.store.put(key, value === null ? null : { value, timestamp: -1 });
  }
  putIfAbsent(key: K, value: V): V | null {
    const old = this.get(key);
    if (old === null) this.put(key, value);
    return old;
  }
  putAll(entries: readonly KeyValue<K, V | null>[]): void {
    for (const e of entries) this.put(e.key, e.value);
  }
  delete(key: K): V | null {
    return this.store.delete(key)?.value ?? null;
  }
}
