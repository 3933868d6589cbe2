import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Consumer, ConsumerRecord, Kafka, Producer, TopicPartition } from '../../client/index.js';
import { ConcurrencyLimit } from '../../common/concurrency-limit.js';
import type { Logger } from '../../common/logger.js';
import type { DeserializationExceptionHandler, ProductionExceptionHandler } from '../exception-handlers.js';
import { taskIdString } from '../processor/processor.js';
import type { Serde } from '../serdes.js';
import type { StateStore } from '../state/state-store.js';
import type { TopologyModel } from '../topology/topology-model.js';
import { OffsetCheckpoint } from './offset-checkpoint.js';
import { RecordSender } from './record-sender.js';
import { restoreTask } from './state-restorer.js';
import { stickyTaskAssignor } from './sticky-task-assignor.js';
import { StreamTask } from './stream-task.js';
import { isTaskMigrated } from './task-migrated.js';
import type { TopicPlan } from './topic-plan.js';

export interface StreamThreadSettings {
  readonly applicationId: string;
  readonly exactlyOnce: boolean;
  readonly commitIntervalMs: number;
  readonly pollMs: number;
  readonly defaultKeySerde: Serde<unknown>;
  readonly defaultValueSerde: Serde<unknown>;
  readonly consumerConfig: {
    sessionTimeoutMs?: number;
    heartbeatIntervalMs?: number;
    maxPollRecords?: number;
  };
  /** transaction.timeout.ms of the producer under exactly_once_v2. */
  readonly transactionTimeoutMs: number;
  readonly deserializationExceptionHandler?: DeserializationExceptionHandler;
  readonly productionExceptionHandler?: ProductionExceptionHandler;
  /** `<state.dir>/<application.id>`: each task's directory is `<task id>` in it. */
  readonly appStateDir: string;
  /** The thread's number in its instance: 1, then 2 for the thread that replaces it, and so on. */
  readonly threadIndex: number;
  readonly logger: Logger;
  /** The global stores every task reads (GlobalKTable), kept by the global stream thread. */
  readonly globalStores?: ReadonlyMap<string, StateStore>;
}

const tpKey = (topic: string, partition: number): string => `${topic}-${partition}`;

/**
 * One stream thread, as Kafka's StreamThread: a consumer in the application's group (group id =
 * application.id), a producer, and the tasks of the partitions the group gave it. It polls,
 * processes each task's records in timestamp order across its partitions, punctuates, and commits
 * every commit.interval.ms: output flushed first, then the consumed offsets (at_least_once) or
 * the offsets inside the transaction that holds the output (exactly_once_v2).
 */
export class StreamThread {
  private readonly consumer: Consumer;
  private producer: Producer;
  private readonly sender: RecordSender;
  private readonly tasks = new Map<string, StreamTask>();
  /** Per task, the changelog offsets its restore reached (what a checkpoint says when nothing new was written). */
  private readonly restoredOffsets = new Map<string, Map<string, bigint>>();
  /** Changelog records restored since the thread started, for tests and the restore benchmark. */
  restoredRecords = 0;
  /** Next offset to commit per input partition, for partitions processed since the last commit. */
  private readonly toCommit = new Map<string, { topic: string; partition: number; offset: bigint }>();
  /** Processing, commits and rebalance callbacks run one at a time. */
  private readonly lock = new ConcurrencyLimit(1);
  private readonly stop = new AbortController();
  private lastCommitMs = performance.now();
  private inTransaction = false;
  private running: Promise<void> | null = null;
  readonly threadId: string;

  constructor(
    private readonly kafka: Kafka,
    private readonly model: TopologyModel,
    private readonly plan: TopicPlan,
    private readonly settings: StreamThreadSettings,
    private readonly partitionCounts: Map<string, number>,
    private readonly onStateChange: (state: 'REBALANCING' | 'RUNNING') => void,
    /** The instance's process id (a UUID, as Kafka's): its threads' transactional ids share it. */
    processId: string = randomUUID(),
  ) {
    this.threadId = `${settings.applicationId}-${processId}-StreamThread-${settings.threadIndex}`;
    this.consumer = kafka.consumer({
      groupId: settings.applicationId,
      autoCommit: false,
      // Kafka Streams reads from the earliest offset when the group has none (StreamsConfig).
      autoOffsetReset: 'earliest',
      // Tasks, not partitions: partition p of every co-partitioned input to one member, sticky.
      assignors: [stickyTaskAssignor(plan)],
      isolationLevel: settings.exactlyOnce ? 'read_committed' : 'read_uncommitted',
      ...settings.consumerConfig,
    });
    this.producer = this.createProducer();
    this.sender = new RecordSender(
      this.producer,
      (topic) => this.partitionCounts.get(topic) ?? null,
      settings.productionExceptionHandler ?? null,
    );
  }

  private createProducer(): Producer {
    return this.kafka.producer(
      this.settings.exactlyOnce
        ? // Kafka Streams' transactional.id under exactly_once_v2: <application.id>-<process id>-<thread>.
          { transactionalId: this.threadId, transactionTimeoutMs: this.settings.transactionTimeoutMs }
        : {},
    );
  }

  get taskIds(): string[] {
    return [...this.tasks.keys()];
  }

  task(id: string): StreamTask | undefined {
    return this.tasks.get(id);
  }

  allTasks(): StreamTask[] {
    return [...this.tasks.values()];
  }

  /** Subscribes and runs the loop until close(); rejects when the thread fails. */
  async start(): Promise<void> {
    if (this.settings.exactlyOnce) await this.producer.initTransactions();
    this.subscribe();
    this.onStateChange('REBALANCING');
    this.running = this.loop();
    return this.running;
  }

  /** Joins the group (again: subscribing anew makes the consumer rejoin, as Kafka's unsubscribe and subscribe). */
  private subscribe(): void {
    const topics = this.plan.subtopologies.flatMap((s) => s.sourceTopics);
    this.consumer.subscribe(topics, {
      onPartitionsRevoked: (tps) => this.lock.run(() => this.revoke(tps, true)),
      onPartitionsLost: (tps) => this.lock.run(() => this.revoke(tps, false)),
      onPartitionsAssigned: (tps) => this.lock.run(() => this.assign(tps)),
    });
  }

  /**
   * Commits what was processed (`clean`), closes the tasks with their state flushed and leaves the
   * group. After a failure nothing is committed (the open transaction is aborted): the records
   * since the last commit go to the next owner of their tasks again, as Kafka closes tasks dirty.
   */
  async close(clean = true): Promise<void> {
    this.stop.abort();
    try {
      await this.running;
    } catch {
      // The loop's failure was reported by start()'s promise.
    }
    await this.lock.run(async () => {
      let committed = false;
      try {
        if (clean && this.tasks.size > 0) {
          await this.commit();
          committed = true;
        } else if (!clean && this.inTransaction) await this.producer.abortTransaction().catch(() => {});
      } finally {
        for (const [id, task] of this.tasks) this.closeTask(id, task, committed);
        this.tasks.clear();
      }
    });
    await this.consumer.close();
    await this.producer.close();
  }

  private async loop(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      let records: ConsumerRecord[];
      try {
        records = await this.consumer.poll({ timeoutMs: this.settings.pollMs, signal });
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      await this.lock.run(async () => {
        if (signal.aborted && records.length === 0) return;
        try {
          this.process(records);
          for (const task of this.tasks.values()) task.maybePunctuateSystemTime();
          const due = performance.now() - this.lastCommitMs >= this.settings.commitIntervalMs;
          const requested = [...this.tasks.values()].some((t) => t.commitRequested);
          if (due || requested) await this.commit();
        } catch (err) {
          if (!isTaskMigrated(err)) throw err;
          await this.handleTaskMigrated(err, true);
        }
      });
    }
  }

  /** Hands each task its records, merged across its partitions by timestamp (Kafka's PartitionGroup). */
  private process(records: ConsumerRecord[]): void {
    if (records.length === 0) return;
    this.maybeBeginTransaction();
    const byTask = new Map<string, ConsumerRecord[][]>();
    const queues = new Map<string, ConsumerRecord[]>();
    for (const r of records) {
      const key = tpKey(r.topic, r.partition);
      let queue = queues.get(key);
      if (!queue) {
        queue = [];
        queues.set(key, queue);
        const sub = this.plan.subtopologyOf(r.topic);
        const id = `${sub}_${r.partition}`;
        let list = byTask.get(id);
        if (!list) {
          list = [];
          byTask.set(id, list);
        }
        list.push(queue);
      }
      queue.push(r);
    }
    const assigned = new Set(this.consumer.assignment().map((tp) => tpKey(tp.topic, tp.partition)));
    for (const [id, partitionQueues] of byTask) {
      const task = this.tasks.get(id);
      if (!task) {
        // Records of a partition whose task is not open: revoked while they were in flight (drop
        // them, they are another member's now), or assigned and not yet restored (read them again).
        for (const queue of partitionQueues) {
          const first = queue[0]!;
          if (assigned.has(tpKey(first.topic, first.partition)))
            this.consumer.seek({ topic: first.topic, partition: first.partition }, first.offset);
        }
        continue;
      }
      const heads = partitionQueues.map(() => 0);
      for (;;) {
        let pick = -1;
        for (let i = 0; i < partitionQueues.length; i++) {
          const r = partitionQueues[i]![heads[i]!];
          if (r && (pick < 0 || r.timestamp < partitionQueues[pick]![heads[pick]!]!.timestamp)) pick = i;
        }
        if (pick < 0) break;
        const r = partitionQueues[pick]![heads[pick]!++]!;
        task.process({
          topic: r.topic,
          partition: r.partition,
          offset: r.offset,
          timestamp: Number(r.timestamp),
          key: r.key,
          value: r.value,
          headers: r.headers,
        });
        this.toCommit.set(tpKey(r.topic, r.partition), {
          topic: r.topic,
          partition: r.partition,
          offset: r.offset + 1n,
        });
        task.maybePunctuateStreamTime();
      }
    }
  }

  private maybeBeginTransaction(): void {
    if (this.settings.exactlyOnce && !this.inTransaction) {
      this.producer.beginTransaction();
      this.inTransaction = true;
    }
  }

  /**
   * Kafka's commit: state flushed, every output record acknowledged, then the offsets; under
   * exactly_once_v2 the offsets go into the transaction, which commits with the output.
   */
  private async commit(): Promise<void> {
    for (const task of this.tasks.values()) {
      task.flush();
      task.commitRequested = false;
    }
    await this.sender.flush();
    const offsets = [...this.toCommit.values()];
    if (this.settings.exactlyOnce) {
      if (this.inTransaction) {
        if (offsets.length > 0)
          await this.producer.sendOffsetsToTransaction(offsets, this.consumer.groupMetadata());
        await this.producer.commitTransaction();
        this.inTransaction = false;
      }
    } else if (offsets.length > 0) await this.consumer.commitSync(offsets);
    this.toCommit.clear();
    // At least once, the checkpoint follows each commit (the stores were flushed above); under
    // exactly_once_v2 it is written only at a clean close, so a crash restores from scratch.
    if (!this.settings.exactlyOnce) for (const [id, task] of this.tasks) this.writeCheckpoint(id, task);
    this.lastCommitMs = performance.now();
    this.settings.logger.debug({ partitions: offsets.length }, 'committed');
  }

  /**
   * Kafka's StreamThread.handleTaskMigrated: the tasks are another thread's now, or will be. Every
   * task is closed dirty (nothing more committed: their uncommitted records go to the next owner,
   * which reads the last committed offsets and state), under exactly_once_v2 the producer is
   * replaced by a new one that initializes its transactions again (TaskManager.handleLostAll,
   * ActiveTaskCreator.reInitializeThreadProducer), and the thread rejoins the group unless it is
   * rejoining already.
   */
  private async handleTaskMigrated(err: unknown, rejoin: boolean): Promise<void> {
    this.settings.logger.warn(
      { err: err instanceof Error ? err.message : String(err), tasks: this.taskIds },
      'tasks migrated: closing them dirty',
    );
    this.onStateChange('REBALANCING');
    for (const [id, task] of this.tasks) this.closeTask(id, task, false);
    this.tasks.clear();
    this.toCommit.clear();
    if (this.settings.exactlyOnce) {
      const old = this.producer;
      this.inTransaction = false;
      this.producer = this.createProducer();
      this.sender.reset(this.producer);
      // The fenced producer has nothing left to send that may be committed.
      await old.close().catch(() => {});
      await this.producer.initTransactions();
    }
    if (rejoin) this.subscribe();
  }

  /**
   * Revoked partitions (clean) have their tasks committed and closed. Lost partitions (the member
   * was fenced or expelled: every partition it had) are Kafka's handleLostAll: every task closed
   * dirty and, under exactly_once_v2, a new producer, since the open transaction holds output of
   * tasks that may already be another member's.
   */
  private taskDir(id: string): string {
    return join(this.settings.appStateDir, id);
  }

  /**
   * Kafka's task checkpoint: per changelog partition of a persistent store, the offset of the last
   * record the store holds (the last one this thread wrote, else the last one restored).
   */
  private writeCheckpoint(id: string, task: StreamTask): void {
    if (!task.hasPersistentStores) return;
    const offsets = new Map<string, bigint>();
    const restored = this.restoredOffsets.get(id);
    for (const c of task.changelogTopics()) {
      if (!c.persistent) continue;
      const key = OffsetCheckpoint.key(c.topic, task.id.partition);
      const offset = this.sender.acked.get(key) ?? restored?.get(c.topic);
      if (offset !== undefined) offsets.set(key, offset);
    }
    new OffsetCheckpoint(this.taskDir(id)).write(offsets);
  }

  /** Closes a task; after a commit (`clean`) its stores are checkpointed first. */
  private closeTask(id: string, task: StreamTask, clean: boolean): void {
    if (clean) {
      task.flush();
      this.writeCheckpoint(id, task);
    }
    task.close(clean);
    this.restoredOffsets.delete(id);
    // What this thread wrote is forgotten with the task: if it comes back, its restore says where the store is.
    for (const c of task.changelogTopics())
      this.sender.acked.delete(OffsetCheckpoint.key(c.topic, task.id.partition));
  }

  private async revoke(tps: TopicPartition[], clean: boolean): Promise<void> {
    this.onStateChange('REBALANCING');
    if (!clean) return this.handleTaskMigrated(new Error('partitions lost'), false);
    if (this.tasks.size > 0) {
      try {
        await this.commit();
      } catch (err) {
        if (!isTaskMigrated(err)) throw err;
        // The consumer is rejoining already: the tasks are closed dirty instead.
        return this.handleTaskMigrated(err, false);
      }
    }
    for (const tp of tps) {
      const id = `${this.plan.subtopologyOf(tp.topic)}_${tp.partition}`;
      const task = this.tasks.get(id);
      if (!task) continue;
      this.closeTask(id, task, true);
      this.tasks.delete(id);
      this.settings.logger.info({ task: id }, 'task revoked');
    }
  }

  private async assign(tps: TopicPartition[]): Promise<void> {
    // Every rebalance passes through REBALANCING, also a cooperative one that revoked nothing here.
    this.onStateChange('REBALANCING');
    for (const tp of tps) {
      const sub = this.plan.subtopologyOf(tp.topic);
      if (sub === undefined) continue;
      const id = `${sub}_${tp.partition}`;
      if (this.tasks.has(id)) continue;
      const task = new StreamTask(
        { subtopology: sub, partition: tp.partition },
        this.model,
        this.plan.subtopologies[sub]!.nodeNames,
        {
          applicationId: this.settings.applicationId,
          defaultKeySerde: this.settings.defaultKeySerde,
          defaultValueSerde: this.settings.defaultValueSerde,
          collector: this.sender,
          wallClockMs: Date.now,
          logger: this.settings.logger,
          ...(this.settings.globalStores ? { globalStores: this.settings.globalStores } : {}),
          taskDir: this.taskDir(id),
          ...(this.settings.deserializationExceptionHandler
            ? { deserializationExceptionHandler: this.settings.deserializationExceptionHandler }
            : {}),
          ...(this.settings.productionExceptionHandler
            ? { productionExceptionHandler: this.settings.productionExceptionHandler }
            : {}),
        },
        (topic) => (this.model.internalTopics.has(topic) ? `${this.settings.applicationId}-${topic}` : topic),
      );
      task.initializeStores();
      let checkpointed = new Map<string, bigint>();
      if (task.hasPersistentStores) {
        const checkpoint = new OffsetCheckpoint(this.taskDir(id));
        checkpointed = checkpoint.read();
        // Kafka deletes the checkpoint under exactly-once once read: if the process dies before a
        // clean close, the stores hold uncommitted writes and are restored from scratch.
        if (this.settings.exactlyOnce) checkpoint.delete();
      }
      const { restored, lastOffsets } = await restoreTask(
        this.kafka,
        task,
        this.settings.exactlyOnce,
        checkpointed,
      );
      this.restoredRecords += restored;
      this.restoredOffsets.set(id, lastOffsets);
      task.initializeProcessors();
      this.tasks.set(id, task);
      this.settings.logger.info({ task: taskIdString(task.id), restored }, 'task assigned');
    }
    this.onStateChange('RUNNING');
  }
}
