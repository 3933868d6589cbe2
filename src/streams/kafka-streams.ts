import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, type KafkaConfig } from '../client/index.js';
import { type Logger, noopLogger } from '../common/logger.js';
import type {
  DeserializationExceptionHandler,
  ProductionExceptionHandler,
  StreamsUncaughtExceptionHandler,
  StreamThreadExceptionResponse,
} from './exception-handlers.js';
import { GlobalState, GlobalStreamThread } from './runtime/global-state.js';
import { StreamThread } from './runtime/stream-thread.js';
import { createInternalTopics, planTopics, type TopicPlan } from './runtime/topic-plan.js';
import { type Serde, Serdes } from './serdes.js';
import type { KeyValue, ReadOnlyKeyValueStore, ValueAndTimestamp } from './state/key-value-store.js';
import { SerializedKeyValueStore } from './state/serialized-key-value-store.js';
import type { StoreQueryParameters } from './store-query-parameters.js';
import { StreamsError } from './streams-error.js';
import type { Topology } from './topology/topology.js';

/** Kafka Streams' configuration, in the client's naming style. */
export interface StreamsConfig {
  /** application.id: the group id, the prefix of internal topics and of transactional ids. */
  applicationId: string;
  bootstrapServers: string | string[];
  /** processing.guarantee (default at_least_once). */
  processingGuarantee?: 'at_least_once' | 'exactly_once_v2';
  /** commit.interval.ms: default 30000, or 100 under exactly_once_v2, as in Kafka. */
  commitIntervalMs?: number;
  /** default.key.serde (default Serdes.String). */
  defaultKeySerde?: Serde<unknown>;
  /** default.value.serde (default Serdes.String). */
  defaultValueSerde?: Serde<unknown>;
  /** replication.factor of internal topics (default -1: the broker's default.replication.factor). */
  replicationFactor?: number;
  /** poll.ms (default 100): how long a poll waits for records. */
  pollMs?: number;
  /** The group consumer's session.timeout.ms and heartbeat.interval.ms (the client's defaults otherwise). */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** max.poll.records of the group consumer (default 1000, as Kafka Streams sets it). */
  maxPollRecords?: number;
  /**
   * transaction.timeout.ms of the stream thread's producer under exactly_once_v2 (default 10000,
   * as Kafka Streams sets it): how long a dead instance's open transaction holds back
   * read_committed readers of its output before the coordinator aborts it.
   */
  transactionTimeoutMs?: number;
  /**
   * state.dir: where persistent stores keep their files, `<stateDir>/<application.id>/<task id>/`
   * (default `kafka-streams` in the OS temp dir, as Kafka's `${java.io.tmpdir}/kafka-streams`).
   */
  stateDir?: string;
  /** default.deserialization.exception.handler (default LogAndFailExceptionHandler). */
  defaultDeserializationExceptionHandler?: DeserializationExceptionHandler;
  /** default.production.exception.handler (default DefaultProductionExceptionHandler: FAIL). */
  defaultProductionExceptionHandler?: ProductionExceptionHandler;
  /** Connection settings of the clients beyond the bootstrap servers: ssl, sasl, clientId, timeouts. */
  client?: Omit<KafkaConfig, 'bootstrapServers'>;
  logger?: Logger;
}

/** Kafka's KafkaStreams.State. */
export type KafkaStreamsState =
  | 'CREATED'
  | 'REBALANCING'
  | 'RUNNING'
  | 'PENDING_SHUTDOWN'
  | 'NOT_RUNNING'
  | 'PENDING_ERROR'
  | 'ERROR';

/**
 * Kafka Streams' KafkaStreams: runs a topology against a cluster. start() creates the internal
 * topics, joins the application's group and processes; several instances with the same
 * application id share the tasks through the group. One stream thread per instance.
 */
export class KafkaStreams {
  private currentState: KafkaStreamsState = 'CREATED';
  private readonly listeners: ((next: KafkaStreamsState, previous: KafkaStreamsState) => void)[] = [];
  private thread: StreamThread | null = null;
  private globalThread: GlobalStreamThread | null = null;
  private globalState: GlobalState | null = null;
  private threadDone: Promise<void> | null = null;
  private readonly kafka: Kafka;
  private readonly logger: Logger;
  private uncaughtExceptionHandler: StreamsUncaughtExceptionHandler | null = null;
  /** What start() worked out, kept to make a replacement thread (REPLACE_THREAD). */
  private plan: TopicPlan | null = null;
  private partitionCounts = new Map<string, number>();
  private threadIndex = 0;
  /** Records restored by threads that were replaced. */
  private restoredBefore = 0;
  /** Kafka's processId: one per instance, part of every thread's transactional id. */
  private readonly processId = randomUUID();

  constructor(
    private readonly topology: Topology,
    private readonly config: StreamsConfig,
  ) {
    if (!config.applicationId)
      throw new StreamsError(
        'CONFIG_INVALID',
        'Missing required configuration "application.id" which has no default value.',
      );
    this.logger = (config.logger ?? noopLogger).child({ applicationId: config.applicationId });
    this.kafka = new Kafka({
      ...config.client,
      bootstrapServers: config.bootstrapServers,
      logger: this.logger,
      clientId: config.client?.clientId ?? config.applicationId,
    });
  }

  /**
   * Kafka's setUncaughtExceptionHandler (KIP-671): decides what a stream thread's failure does.
   * Without one, as in Kafka, the instance shuts down (SHUTDOWN_CLIENT) and ends in ERROR.
   */
  setUncaughtExceptionHandler(handler: StreamsUncaughtExceptionHandler): void {
    if (this.currentState !== 'CREATED')
      throw new StreamsError(
        'ILLEGAL_STATE',
        'Can only set UncaughtExceptionHandler before calling start(). ',
      );
    this.uncaughtExceptionHandler = handler;
  }

  get state(): KafkaStreamsState {
    return this.currentState;
  }

  /** Kafka's setStateListener; listeners get each transition. */
  onStateChange(listener: (next: KafkaStreamsState, previous: KafkaStreamsState) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Creates the internal topics and starts processing. Resolves once the stream thread has joined
   * the group's first rebalance, or rejects if the application cannot start (a missing source
   * topic, an internal topic of the wrong size).
   */
  async start(): Promise<void> {
    if (this.currentState !== 'CREATED')
      throw new StreamsError('ILLEGAL_STATE', `KafkaStreams cannot start in state ${this.currentState}`);
    this.transition('REBALANCING');
    const config = this.config;
    const admin = this.kafka.admin();
    let thread: StreamThread;
    try {
      const plan = await planTopics(
        this.topology.model,
        config.applicationId,
        admin,
        config.replicationFactor ?? -1,
      );
      const created = await createInternalTopics(admin, plan.internalTopics);
      if (created.length > 0) this.logger.info({ topics: created }, 'created internal topics');
      const counts = new Map<string, number>();
      for (const t of plan.internalTopics) counts.set(t.topic, t.numPartitions!);
      const sinks = [...this.topology.model.nodes.values()].flatMap((n) =>
        n.kind === 'sink' && typeof n.topic === 'string' && !this.topology.model.internalTopics.has(n.topic)
          ? [n.topic]
          : [],
      );
      const existing = new Set(await admin.listTopics());
      const known = sinks.filter((t) => existing.has(t));
      if (known.length > 0)
        for (const info of await admin.describeTopics(known)) counts.set(info.name, info.partitions.length);
      const exactlyOnce = config.processingGuarantee === 'exactly_once_v2';
      if (this.topology.model.globalNodes.size > 0) {
        // Global tables are bootstrapped from their whole topics before any task processes.
        this.globalState = new GlobalState(this.topology.model, {
          applicationId: config.applicationId,
          defaultKeySerde: config.defaultKeySerde ?? Serdes.String,
          defaultValueSerde: config.defaultValueSerde ?? Serdes.String,
          collector: { send: () => {}, partitionsFor: () => null },
          wallClockMs: Date.now,
          logger: this.logger,
          // Kafka keeps the global stores in <state.dir>/<application.id>/global.
          taskDir: join(this.appStateDir, 'global'),
        });
        this.globalThread = new GlobalStreamThread(
          this.kafka,
          this.globalState,
          exactlyOnce,
          config.pollMs ?? 100,
        );
        await this.globalThread.start();
      }
      this.plan = plan;
      this.partitionCounts = counts;
      thread = this.newThread();
    } catch (err) {
      await this.globalThread?.close().catch(() => {});
      this.globalThread = null;
      this.transition('PENDING_ERROR');
      this.transition('ERROR');
      throw err;
    } finally {
      await admin.close();
    }
    this.runThread(thread);
  }

  private runThread(thread: StreamThread): void {
    this.thread = thread;
    this.threadDone = thread.start().catch((err: unknown) => this.onThreadFailed(thread, err));
  }

  /** A stream thread for the plan start() made; each gets the next thread index. */
  private newThread(): StreamThread {
    const config = this.config;
    const exactlyOnce = config.processingGuarantee === 'exactly_once_v2';
    return new StreamThread(
      this.kafka,
      this.topology.model,
      this.plan!,
      {
        applicationId: config.applicationId,
        exactlyOnce,
        commitIntervalMs: config.commitIntervalMs ?? (exactlyOnce ? 100 : 30_000),
        transactionTimeoutMs: config.transactionTimeoutMs ?? 10_000,
        pollMs: config.pollMs ?? 100,
        defaultKeySerde: config.defaultKeySerde ?? Serdes.String,
        defaultValueSerde: config.defaultValueSerde ?? Serdes.String,
        consumerConfig: {
          maxPollRecords: config.maxPollRecords ?? 1000,
          ...(config.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: config.sessionTimeoutMs }),
          ...(config.heartbeatIntervalMs === undefined
            ? {}
            : { heartbeatIntervalMs: config.heartbeatIntervalMs }),
        },
        ...(config.defaultDeserializationExceptionHandler
          ? { deserializationExceptionHandler: config.defaultDeserializationExceptionHandler }
          : {}),
        ...(config.defaultProductionExceptionHandler
          ? { productionExceptionHandler: config.defaultProductionExceptionHandler }
          : {}),
        ...(this.globalState ? { globalStores: this.globalState.stores } : {}),
        threadIndex: ++this.threadIndex,
        appStateDir: this.appStateDir,
        logger: this.logger,
      },
      this.partitionCounts,
      (state) => {
        if (this.currentState === 'REBALANCING' || this.currentState === 'RUNNING') this.transition(state);
      },
      this.processId,
    );
  }

  /** Stops processing: commits, flushes and closes the tasks' state, leaves the group. */
  async close(): Promise<void> {
    if (this.currentState === 'NOT_RUNNING' || this.currentState === 'PENDING_SHUTDOWN') return;
    const failed = this.currentState === 'ERROR';
    if (!failed) this.transition('PENDING_SHUTDOWN');
    const thread = this.thread;
    this.thread = null;
    if (thread) this.restoredBefore += thread.restoredRecords;
    if (thread) {
      try {
        await thread.close();
      } catch (err) {
        this.logger.warn({ err: String(err) }, 'stream thread did not close cleanly');
      }
      await this.threadDone;
    }
    await this.closeGlobalThread();
    if (!failed) this.transition('NOT_RUNNING');
  }

  /**
   * A read-only view of a key-value store over the tasks of this instance (Kafka's interactive
   * queries): `store('name')` or `store(StoreQueryParameters.fromNameAndType('name',
   * QueryableStoreTypes.keyValueStore()))`, optionally `.withPartition(p)` for one task. A key is
   * read from the local task that holds it; `timestampedKeyValueStore()` gives `ValueAndTimestamp`s.
   */
  store<K, V>(query: string | StoreQueryParameters<unknown>): ReadOnlyKeyValueStore<K, V> {
    const name = typeof query === 'string' ? query : query.storeName;
    const timestampedView =
      typeof query !== 'string' && query.queryableStoreType.kind === 'timestampedKeyValue';
    const partition = typeof query === 'string' ? null : query.partition;
    if (!this.topology.model.storeBuilders.has(name))
      throw new StreamsError(
        'STORE_UNAVAILABLE',
        `Cannot get state store ${name} because no such store is registered in the topology.`,
      );
    const global = this.globalState?.stores.get(name);
    const stores = (): ReadOnlyKeyValueStore<K, unknown>[] => {
      if (this.currentState !== 'RUNNING' && this.currentState !== 'REBALANCING')
        throw new StreamsError(
          'ILLEGAL_STATE',
          `KafkaStreams is not running. State is ${this.currentState}.`,
        );
      // A global store is one store, whichever task reads it.
      if (global) return [global as unknown as ReadOnlyKeyValueStore<K, unknown>];
      return (this.thread?.allTasks() ?? []).flatMap((t) => {
        if (partition !== null && t.id.partition !== partition) return [];
        const s = t.store(name);
        if (!s) return [];
        if (timestampedView && !(s instanceof SerializedKeyValueStore && s.timestamped))
          throw new StreamsError(
            'STORE_UNAVAILABLE',
            `Cannot get state store ${name}: it holds no timestamps, ask for QueryableStoreTypes.keyValueStore()`,
          );
        return [s as unknown as ReadOnlyKeyValueStore<K, unknown>];
      });
    };
    const plain = (s: ReadOnlyKeyValueStore<K, unknown>, v: unknown): V =>
      (!timestampedView && s instanceof SerializedKeyValueStore && s.timestamped
        ? (v as ValueAndTimestamp<V>).value
        : v) as V;
    const merged = (
      pick: (s: ReadOnlyKeyValueStore<K, unknown>) => KeyValue<K, unknown>[],
    ): KeyValue<K, V>[] =>
      stores().flatMap((s) => pick(s).map((e) => ({ key: e.key, value: plain(s, e.value) })));
    return {
      get(key) {
        for (const s of stores()) {
          const v = s.get(key);
          if (v !== null) return plain(s, v);
        }
        return null;
      },
      range: (from, to) => merged((s) => s.range(from, to)),
      all: () => merged((s) => s.all()),
      approximateNumEntries: () => stores().reduce((n, s) => n + s.approximateNumEntries(), 0),
    };
  }

  /** `<state.dir>/<application.id>`. */
  private get appStateDir(): string {
    return join(this.config.stateDir ?? join(tmpdir(), 'kafka-streams'), this.config.applicationId);
  }

  /**
   * Kafka's cleanUp: deletes this application's local state (`<state.dir>/<application.id>`), so
   * the next start restores every store from its changelog. Only before start() or after close().
   */
  cleanUp(): void {
    if (
      this.currentState !== 'CREATED' &&
      this.currentState !== 'NOT_RUNNING' &&
      this.currentState !== 'ERROR'
    )
      throw new StreamsError('ILLEGAL_STATE', 'Cannot clean up while running.');
    rmSync(this.appStateDir, { recursive: true, force: true });
  }

  /** Changelog records this instance restored into its stores since it started (all threads). */
  get restoredRecords(): number {
    return this.restoredBefore + (this.thread?.restoredRecords ?? 0);
  }

  /** The tasks this instance runs now, as Kafka's `<subtopology>_<partition>`. */
  localTaskIds(): string[] {
    return this.thread?.taskIds ?? [];
  }

  private async closeGlobalThread(): Promise<void> {
    const global = this.globalThread;
    this.globalThread = null;
    if (global)
      await global
        .close()
        .catch((err: unknown) =>
          this.logger.warn({ err: String(err) }, 'global stream thread did not close cleanly'),
        );
  }

  /**
   * A stream thread failed: the uncaught exception handler decides. REPLACE_THREAD closes the
   * thread dirty and starts a new one (its tasks' records since the last commit are processed
   * again); SHUTDOWN_CLIENT stops this instance in ERROR.
   */
  private async onThreadFailed(thread: StreamThread, err: unknown): Promise<void> {
    const error = err instanceof Error ? err : new Error(String(err));
    let response: StreamThreadExceptionResponse = 'SHUTDOWN_CLIENT';
    if (this.uncaughtExceptionHandler) {
      try {
        response = this.uncaughtExceptionHandler(error);
      } catch (handlerErr) {
        this.logger.error({ err: String(handlerErr) }, 'the uncaught exception handler threw; shutting down');
      }
    }
    if (this.thread !== thread) return;
    if (
      response === 'REPLACE_THREAD' &&
      (this.currentState === 'RUNNING' || this.currentState === 'REBALANCING')
    ) {
      this.logger.error(
        { err: error.message, thread: thread.threadId },
        'stream thread failed; replacing it',
      );
      this.thread = null;
      this.restoredBefore += thread.restoredRecords;
      await thread.close(false).catch(() => {});
      if (this.currentState !== 'RUNNING' && this.currentState !== 'REBALANCING') return;
      this.transition('REBALANCING');
      this.runThread(this.newThread());
      return;
    }
    await this.fail(error);
  }

  private async fail(err: unknown): Promise<void> {
    this.logger.error(
      { err: err instanceof Error ? err.message : String(err) },
      'stream thread failed; shutting down',
    );
    this.transition('PENDING_ERROR');
    const thread = this.thread;
    this.thread = null;
    if (thread) this.restoredBefore += thread.restoredRecords;
    if (thread) await thread.close(false).catch(() => {});
    await this.closeGlobalThread();
    this.transition('ERROR');
  }

  private transition(next: KafkaStreamsState): void {
    const previous = this.currentState;
    if (previous === next) return;
    this.currentState = next;
    this.logger.info({ from: previous, to: next }, 'state transition');
    for (const l of this.listeners) l(next, previous);
  }
}
