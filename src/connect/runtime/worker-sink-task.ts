import type { Admin, Consumer, ConsumerRecord, TopicPartition } from '../../client/index.js';
import type { Logger } from '../../common/logger.js';
import type { ConnectHeader } from '../api/connect-record.js';
import { SinkRecord } from '../api/connect-record.js';
import type { SinkTask } from '../api/task.js';
import { RetriableError } from '../connect-error.js';
import type { Converter, HeaderConverter } from '../converters/converter.js';
import { type ErrorHandler, type FailedRecord, SKIPPED } from './error-handler.js';
import type { RecordTransform } from './record-transform.js';
import type { ConnectorTaskId, StateListener, TargetState } from './task-status.js';
import { WorkerTask } from './worker-task.js';

export interface WorkerSinkTaskDeps {
  readonly id: ConnectorTaskId;
  readonly task: SinkTask;
  readonly taskConfig: Readonly<Record<string, string>>;
  readonly consumer: Consumer;
  /** For topics.regex: the topics are listed with it and the subscription follows them. */
  readonly admin: Admin | null;
  readonly topics: readonly string[];
  readonly topicsRegex: RegExp | null;
  readonly keyConverter: Converter;
  readonly valueConverter: Converter;
  readonly headerConverter: HeaderConverter;
  readonly transform: RecordTransform;
  readonly errorHandler: ErrorHandler;
  /** Creates the dead letter queue topic when it does not exist (Kafka's DeadLetterQueueReporter). */
  readonly setUpDeadLetterQueue: () => Promise<void>;
  readonly offsetFlushIntervalMs: number;
  readonly logger: Logger;
  readonly onState: StateListener;
  /** Releases what the worker built for the task (the dead letter queue's producer). */
  readonly onClose: () => Promise<void>;
}

const POLL_TIMEOUT_MS = 500;
const REGEX_REFRESH_MS = 30_000;
const tpKey = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

/**
 * Runs one SinkTask (Kafka's WorkerSinkTask): a consumer in the group `connect-<connector>` polls
 * the connector's topics, records are converted, transformed and given to `put`; every
 * offset.flush.interval.ms (and when partitions are revoked or the task stops) `preCommit` says
 * which offsets are safe, and those are committed. A RetriableError from put pauses consumption
 * and hands the same batch again after the task's timeout.
 */
export class WorkerSinkTask extends WorkerTask {
  private readonly current = new Map<string, { tp: TopicPartition; offset: bigint }>();
  private readonly rewinds = new Map<string, { tp: TopicPartition; offset: bigint }>();
  private retryBatch: SinkRecord[] | null = null;
  private retryTimeoutMs = 0;
  private retryAtMs = 0;
  private commitRequested = false;
  private lastCommitMs = Date.now();
  private lastRegexRefreshMs = 0;
  private subscribed: string[] = [];
  private readonly taskPaused = new Set<string>();
  /** The consumed record each SinkRecord of the current batch came from, for the errant record reporter. */
  private readonly origins = new WeakMap<SinkRecord, ConsumerRecord>();

  constructor(private readonly deps: WorkerSinkTaskDeps) {
    super(deps.id, deps.logger, deps.onState);
  }

  protected override iterateWhilePaused(): boolean {
    return true;
  }

  protected override onTargetState(target: TargetState): void {
    const assigned = this.deps.consumer.assignment();
    if (target === 'PAUSED') this.deps.consumer.pause(assigned);
    else this.deps.consumer.resume(assigned.filter((tp) => !this.taskPaused.has(tpKey(tp))));
  }

  protected async initializeAndStart(): Promise<void> {
    const { task, taskConfig, consumer } = this.deps;
    task.initialize({
      configs: () => taskConfig,
      offset: (offsets, offset) => {
        const entries: [TopicPartition, bigint][] =
          offsets instanceof Map ? [...offsets] : [[offsets as TopicPartition, offset!]];
        for (const [tp, o] of entries) this.rewinds.set(tpKey(tp), { tp, offset: o });
      },
      timeout: (ms) => {
        this.retryTimeoutMs = ms;
      },
      assignment: () => consumer.assignment(),
      pause: (...tps) => {
        for (const tp of tps) this.taskPaused.add(tpKey(tp));
        consumer.pause(tps);
      },
      resume: (...tps) => {
        for (const tp of tps) this.taskPaused.delete(tpKey(tp));
        if (!this.isPaused()) consumer.resume(tps);
      },
      requestCommit: () => {
        this.commitRequested = true;
      },
      errantRecordReporter: () => {
        const { errorHandler } = this.deps;
        if (errorHandler.config.tolerance === 'none' && errorHandler.config.dlqTopic === '') return null;
        return async (record, error) => {
          const origin = this.origins.get(record) ?? null;
          await errorHandler.report(
            'TASK_PUT',
            task.constructor.name,
            this.failedRecordOf(origin, record),
            error,
          );
        };
      },
    });
    await this.deps.setUpDeadLetterQueue();
    await task.start(taskConfig);
    await this.subscribe();
  }

  private async subscribe(): Promise<void> {
    const { deps } = this;
    let topics = [...deps.topics];
    if (deps.topicsRegex && deps.admin) {
      this.lastRegexRefreshMs = Date.now();
      topics = (await deps.admin.listTopics()).filter((t) => deps.topicsRegex!.test(t)).sort();
    }
    if (topics.join(',') === this.subscribed.join(',')) return;
    this.subscribed = topics;
    deps.consumer.subscribe(topics, {
      onPartitionsAssigned: async (tps) => {
        await deps.task.open(tps);
        if (this.isPaused()) deps.consumer.pause(tps);
      },
      onPartitionsRevoked: async (tps) => {
        await this.commit(tps);
        await deps.task.close(tps);
        for (const tp of tps) this.current.delete(tpKey(tp));
      },
      onPartitionsLost: async (tps) => {
        await deps.task.close(tps);
        for (const tp of tps) this.current.delete(tpKey(tp));
      },
    });
  }

  protected async iterate(): Promise<void> {
    const { consumer } = this.deps;
    if (this.deps.topicsRegex && Date.now() - this.lastRegexRefreshMs >= REGEX_REFRESH_MS)
      await this.subscribe();
    for (const { tp, offset } of this.rewinds.values()) {
      if (consumer.assignment().some((a) => tpKey(a) === tpKey(tp))) {
        consumer.seek(tp, offset);
        this.current.set(tpKey(tp), { tp, offset });
      }
    }
    this.rewinds.clear();
    if (this.retryBatch) {
      const waitMs = this.retryAtMs - Date.now();
      if (waitMs > 0) {
        // Short sleeps, so a stop is not held up by a long timeout; the consumer stays in its group.
        await this.sleep(Math.min(waitMs, POLL_TIMEOUT_MS));
        return;
      }
      await this.deliver(this.retryBatch);
    } else if (this.subscribed.length > 0) {
      const polled = await consumer.poll({ timeoutMs: POLL_TIMEOUT_MS });
      if (polled.length > 0) {
        const batch: SinkRecord[] = [];
        for (const r of polled) {
          let record = this.toSinkRecord(r);
          if (record instanceof Promise) record = await record;
          if (record !== null) batch.push(record);
        }
        for (const r of polled)
          this.current.set(tpKey(r), {
            tp: { topic: r.topic, partition: r.partition },
            offset: r.offset + 1n,
          });
        await this.deliver(batch);
      }
    } else {
      await this.sleep(POLL_TIMEOUT_MS);
    }
    if (this.commitRequested || Date.now() - this.lastCommitMs >= this.deps.offsetFlushIntervalMs)
      await this.commit(null);
  }

  private async deliver(batch: SinkRecord[]): Promise<void> {
    const { consumer, task } = this.deps;
    try {
      await task.put(batch);
      if (this.retryBatch) {
        this.retryBatch = null;
        if (!this.isPaused())
          consumer.resume(consumer.assignment().filter((tp) => !this.taskPaused.has(tpKey(tp))));
      }
    } catch (err) {
      if (!(err instanceof RetriableError)) throw err;
      this.logger.warn({ err, records: batch.length }, 'sink task put failed, retrying the same records');
      // Kafka's WorkerSinkTask pauses every partition and redelivers the same batch after the timeout.
      this.retryBatch = batch;
      this.retryAtMs = Date.now() + this.retryTimeoutMs;
      consumer.pause(consumer.assignment());
    }
  }

  private failedRecordOf(r: ConsumerRecord | null, record: SinkRecord | null): FailedRecord {
    const topic = r?.topic ?? record!.originalTopic;
    const partition = r?.partition ?? record!.originalKafkaPartition;
    const offset = r?.offset ?? record!.originalKafkaOffset;
    return {
      topic,
      partition,
      offset,
      timestamp: r ? Number(r.timestamp) : record!.timestamp,
      key: r?.key ?? null,
      value: r?.value ?? null,
      headers: r?.headers ?? [],
      describe: () =>
        r
          ? `ConsumerRecord(topic = ${topic}, partition = ${partition}, offset = ${offset}, key = ${r.key?.toString() ?? null}, value = ${r.value?.toString() ?? null})`
          : `SinkRecord{topic=${topic}, kafkaPartition=${partition}, kafkaOffset=${offset}}`,
    };
  }

  /**
   * Converts and transforms one consumed record, each stage under the error handler: null when a
   * stage failed and errors.tolerance=all skipped it, or when a transform dropped it.
   */
  private toSinkRecord(r: ConsumerRecord): SinkRecord | null | Promise<SinkRecord | null> {
    const { keyConverter, valueConverter, headerConverter, errorHandler, transform } = this.deps;
    const origin = (): FailedRecord => this.failedRecordOf(r, null);
    const key = errorHandler.execute(
      'KEY_CONVERTER',
      keyConverter.constructor.name,
      () => keyConverter.toConnectData(r.topic, r.key),
      origin,
    );
    const value = errorHandler.execute(
      'VALUE_CONVERTER',
      valueConverter.constructor.name,
      () => valueConverter.toConnectData(r.topic, r.value),
      origin,
    );
    const headers = errorHandler.execute(
      'HEADER_CONVERTER',
      headerConverter.constructor.name,
      () =>
        r.headers.map((h): ConnectHeader => {
          const sv = headerConverter.toConnectHeader(r.topic, h.key, h.value);
          return { key: h.key, schema: sv.schema, value: sv.value };
        }),
      origin,
    );
    const build = (
      k: Awaited<typeof key> | typeof SKIPPED,
      v: Awaited<typeof value> | typeof SKIPPED,
      hs: Awaited<typeof headers> | typeof SKIPPED,
    ): SinkRecord | null | Promise<SinkRecord | null> => {
      if (k === SKIPPED || v === SKIPPED || hs === SKIPPED) return null;
      const record = new SinkRecord({
        topic: r.topic,
        kafkaPartition: r.partition,
        keySchema: k.schema,
        key: k.value,
        valueSchema: v.schema,
        value: v.value,
        timestamp: Number(r.timestamp),
        timestampType: 'CreateTime',
        headers: hs,
        kafkaOffset: r.offset,
      });
      this.origins.set(record, r);
      const transformed = errorHandler.execute(
        'TRANSFORMATION',
        'TransformationChain',
        () => transform(record),
        origin,
      );
      if (transformed instanceof Promise) return transformed.then((t) => (t === SKIPPED ? null : t));
      return transformed;
    };
    if (key instanceof Promise || value instanceof Promise || headers instanceof Promise)
      return Promise.all([key, value, headers]).then(([k, v, hs]) => build(k, v, hs));
    return build(key, value, headers);
  }

  /** preCommit, then commit what it returns for the given partitions (all when null). */
  private async commit(only: readonly TopicPartition[] | null): Promise<void> {
    this.commitRequested = false;
    this.lastCommitMs = Date.now();
    const keys = only ? new Set(only.map(tpKey)) : null;
    const current = new Map<TopicPartition, bigint>();
    for (const [key, { tp, offset }] of this.current) if (!keys || keys.has(key)) current.set(tp, offset);
    if (current.size === 0 || this.retryBatch) return;
    let safe: ReadonlyMap<TopicPartition, bigint>;
    try {
      safe = await this.deps.task.preCommit(current);
    } catch (err) {
      this.logger.error({ err }, 'commit of offsets threw an unexpected exception');
      return;
    }
    const offsets = [...safe].map(([tp, offset]) => ({ topic: tp.topic, partition: tp.partition, offset }));
    if (offsets.length === 0) return;
    try {
      await this.deps.consumer.commitSync(offsets);
    } catch (err) {
      this.logger.warn({ err }, 'offset commit failed');
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  protected async onStop(): Promise<void> {
    try {
      if (!this.isFailed()) await this.commit(null);
      await this.deps.task.close(this.deps.consumer.assignment());
      await this.deps.task.stop();
    } finally {
      await this.deps.consumer.close().catch(() => {});
      await this.deps.admin?.close().catch(() => {});
      await this.deps.onClose().catch(() => {});
    }
  }
}
