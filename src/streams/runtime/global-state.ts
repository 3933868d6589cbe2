import type { Kafka, TopicPartition } from '../../client/index.js';
import type { StateStore, StateStoreContext } from '../state/state-store.js';
import { StreamsError } from '../streams-error.js';
import type { TopologyModel } from '../topology/topology-model.js';
import { type InputRecord, StreamTask, type TaskSettings } from './stream-task.js';

/**
 * The global stores of a topology and the global processors that fill them (Kafka's
 * GlobalStateManager and GlobalStateUpdateTask): every record of a global topic, from every
 * partition, goes through the global source and processor into the store, which all tasks read.
 * The store has no changelog: its topic is replayed from the beginning at start.
 */
export class GlobalState {
  readonly stores = new Map<string, StateStore>();
  private readonly task: StreamTask | null = null;
  readonly topics: string[];
  readonly logger: TaskSettings['logger'];

  constructor(model: TopologyModel, settings: Omit<TaskSettings, 'globalStores'>) {
    this.logger = settings.logger;
    for (const name of model.globalStores)
      this.stores.set(
        name,
        model.storeBuilders
          .get(name)!
          .withLoggingDisabled()
          .build({ key: settings.defaultKeySerde, value: settings.defaultValueSerde }),
      );
    const nodes = [...model.globalNodes];
    this.topics = nodes.flatMap((n) => {
      const def = model.nodes.get(n)!;
      return def.kind === 'source' ? [...def.topics] : [];
    });
    if (nodes.length === 0) return;
    const context: StateStoreContext = {
      applicationId: settings.applicationId,
      taskId: { subtopology: -1, partition: -1 },
      taskDir: settings.taskDir ?? null,
      recordTimestampMs: () => -1,
      logChange: () => {},
      register: () => {},
    };
    for (const store of this.stores.values()) {
      store.init(context);
      // The global topics are replayed from their beginning at every start (there is no global
      // checkpoint yet), so a persistent global store starts empty.
      store.wipe?.();
    }
    this.task = new StreamTask(
      { subtopology: -1, partition: -1 },
      model,
      nodes,
      { ...settings, globalStores: this.stores },
      (t) => t,
    );
    this.task.initialize();
  }

  process(record: InputRecord): void {
    this.task?.process(record);
  }

  close(): void {
    this.task?.close();
    for (const store of this.stores.values()) store.close();
  }
}

/**
 * Kafka's GlobalStreamThread: a consumer outside the group assigned every partition of the global
 * topics. start() replays them from the beginning to their end as of now (bootstrapping the
 * global stores before any task processes), then keeps reading new records until close().
 */
export class GlobalStreamThread {
  private readonly consumer;
  private readonly stop = new AbortController();
  private running: Promise<void> | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly state: GlobalState,
    readCommitted: boolean,
    private readonly pollMs: number,
  ) {
    this.consumer = kafka.consumer({
      isolationLevel: readCommitted ? 'read_committed' : 'read_uncommitted',
      autoOffsetReset: 'earliest',
      maxPollRecords: 10_000,
    });
  }

  /** Resolves once the global stores hold their topics up to the end offsets read at start. */
  async start(): Promise<void> {
    const admin = this.kafka.admin();
    let tps: TopicPartition[];
    try {
      const existing = new Set(await admin.listTopics());
      const missing = this.state.topics.filter((t) => !existing.has(t));
      if (missing.length > 0)
        throw new StreamsError('MISSING_SOURCE_TOPIC', `Missing source topics: ${missing.join(', ')}`);
      tps = (await admin.describeTopics(this.state.topics)).flatMap((info) =>
        info.partitions.map((_, partition) => ({ topic: info.name, partition })),
      );
    } finally {
      await admin.close();
    }
    this.consumer.assign(tps);
    await this.consumer.seekToEnd(tps);
    const ends = tps.map((tp) => ({ tp, end: this.consumer.position(tp) ?? 0n }));
    await this.consumer.seekToBeginning(tps);
    while (!ends.every(({ tp, end }) => (this.consumer.position(tp) ?? 0n) >= end))
      this.processBatch(await this.consumer.poll({ timeoutMs: this.pollMs }));
    this.running = this.loop().catch((err: unknown) => {
      // Kafka's global thread failing stops the application; here the stores stop being updated.
      this.state.logger.error(
        { err: err instanceof Error ? err.message : String(err) },
        'global stream thread failed',
      );
    });
  }

  async close(): Promise<void> {
    this.stop.abort();
    try {
      await this.running;
    } finally {
      await this.consumer.close();
      this.state.close();
    }
  }

  private async loop(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      try {
        this.processBatch(await this.consumer.poll({ timeoutMs: this.pollMs, signal }));
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
    }
  }

  private processBatch(records: Awaited<ReturnType<typeof this.consumer.poll>>): void {
    for (const r of records)
      this.state.process({
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
        timestamp: Number(r.timestamp),
        key: r.key,
        value: r.value,
        headers: r.headers,
      });
  }
}
