import type { Producer, ProducerRecord } from '../../client/index.js';
import type { Logger } from '../../common/logger.js';
import type { SourceMap, SourceRecord } from '../api/connect-record.js';
import type { SourceTask } from '../api/task.js';
import { ConnectError, RetriableError } from '../connect-error.js';
import type { Converter, HeaderConverter } from '../converters/converter.js';
import { type ErrorHandler, type FailedRecord, SKIPPED } from './error-handler.js';
import { type OffsetBackingStore, offsetKey, offsetValue, StoreOffsetReader } from './offset-store.js';
import type { RecordTransform } from './record-transform.js';
import type { ConnectorTaskId, StateListener } from './task-status.js';
import { WorkerTask } from './worker-task.js';

export interface WorkerSourceTaskDeps {
  readonly id: ConnectorTaskId;
  readonly task: SourceTask;
  readonly taskConfig: Readonly<Record<string, string>>;
  readonly producer: Producer;
  readonly keyConverter: Converter;
  readonly valueConverter: Converter;
  readonly headerConverter: HeaderConverter;
  readonly transform: RecordTransform;
  readonly errorHandler: ErrorHandler;
  readonly offsetStore: OffsetBackingStore;
  readonly offsetFlushIntervalMs: number;
  readonly logger: Logger;
  readonly onState: StateListener;
}

/** Records sent but not yet all acknowledged beyond which polling waits (bounds memory). */
const IN_FLIGHT_RECORDS_MAX = 10_000;

/** A converted record and its topic after the transforms (a router may have changed it). */
interface Routed {
  topic: string;
  record: ProducerRecord;
}

interface Submitted {
  offset: SourceMap | null;
  acked: boolean;
}

/**
 * Runs one SourceTask (Kafka's WorkerSourceTask): poll, transform, convert, send; source offsets
 * are stored every offset.flush.interval.ms and at stop, only up to the last record of each source
 * partition whose records are all acknowledged (Kafka's SubmittedRecords), so a restart resumes
 * after data that is in the topic and never skips any.
 */
export class WorkerSourceTask extends WorkerTask {
  private readonly submitted = new Map<string, { partition: SourceMap; records: Submitted[] }>();
  private inFlight = 0;
  protected producerError: Error | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly waiters: (() => void)[] = [];

  constructor(protected readonly deps: WorkerSourceTaskDeps) {
    super(deps.id, deps.logger, deps.onState);
  }

  protected async initializeAndStart(): Promise<void> {
    const { task, taskConfig, offsetStore, id } = this.deps;
    task.initialize({
      configs: () => taskConfig,
      offsetStorageReader: () => new StoreOffsetReader(offsetStore, id.connector),
    });
    await task.start(taskConfig);
    this.flushTimer = setInterval(() => {
      void this.commitOffsets();
    }, this.deps.offsetFlushIntervalMs);
    this.flushTimer.unref();
  }

  protected async iterate(): Promise<void> {
    if (this.producerError) throw this.producerError;
    while (this.inFlight >= IN_FLIGHT_RECORDS_MAX && !this.producerError && !this.isStopping())
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    let records: SourceRecord[] | null;
    try {
      records = await this.deps.task.poll();
    } catch (err) {
      if (err instanceof RetriableError) {
        this.logger.warn({ err }, 'source task poll failed, retrying');
        return;
      }
      throw err;
    }
    if (!records || records.length === 0) return;
    await this.send(records);
  }

  /**
   * Transforms and converts one record, each stage under the error handler; null when a transform
   * dropped it or errors.tolerance=all skipped a failed stage. Synchronous unless a stage failed.
   */
  protected toProducerRecord(original: SourceRecord): Routed | null | Promise<Routed | null> {
    const { transform, errorHandler } = this.deps;
    const transformed = errorHandler.execute(
      'TRANSFORMATION',
      'TransformationChain',
      () => transform(original),
      () => this.failedRecordOf(original),
    );
    if (transformed instanceof Promise)
      return transformed.then((r) => (r === null || r === SKIPPED ? null : this.convert(original, r)));
    return transformed === null ? null : this.convert(original, transformed);
  }

  private failedRecordOf(original: SourceRecord): FailedRecord {
    return {
      topic: original.topic,
      partition: original.kafkaPartition,
      offset: null,
      timestamp: original.timestamp,
      describe: () =>
        `SourceRecord{sourcePartition=${JSON.stringify(original.sourcePartition)}, sourceOffset=${JSON.stringify(original.sourceOffset)}} ConnectRecord{topic='${original.topic}', kafkaPartition=${original.kafkaPartition}, key=${String(original.key)}, value=${String(original.value)}}`,
    };
  }

  private convert(original: SourceRecord, r: SourceRecord): Routed | null | Promise<Routed | null> {
    const { keyConverter, valueConverter, headerConverter, errorHandler } = this.deps;
    const origin = (): FailedRecord => this.failedRecordOf(original);
    const key = errorHandler.execute(
      'KEY_CONVERTER',
      keyConverter.constructor.name,
      () => keyConverter.fromConnectData(r.topic, r.keySchema, r.key),
      origin,
    );
    const value = errorHandler.execute(
      'VALUE_CONVERTER',
      valueConverter.constructor.name,
      () => valueConverter.fromConnectData(r.topic, r.valueSchema, r.value),
      origin,
    );
    const headers = errorHandler.execute(
      'HEADER_CONVERTER',
      headerConverter.constructor.name,
      () =>
        r.headers.map((h) => ({
          key: h.key,
          value: headerConverter.fromConnectHeader(r.topic, h.key, h.schema, h.value),
        })),
      origin,
    );
    const build = (
      k: Buffer | null | typeof SKIPPED,
      v: Buffer | null | typeof SKIPPED,
      hs: { key: string; value: Buffer | null }[] | typeof SKIPPED,
    ): Routed | null => {
      if (k === SKIPPED || v === SKIPPED || hs === SKIPPED) return null;
      const out: ProducerRecord = { key: k, value: v, headers: hs };
      if (r.kafkaPartition !== null) out.partition = r.kafkaPartition;
      if (r.timestamp !== null) out.timestamp = r.timestamp;
      return { topic: r.topic, record: out };
    };
    if (key instanceof Promise || value instanceof Promise || headers instanceof Promise)
      return Promise.all([key, value, headers]).then(([k, v, hs]) => build(k, v, hs));
    return build(key, value, headers);
  }

  private async send(records: readonly SourceRecord[]): Promise<void> {
    const { producer } = this.deps;
    const byTopic = new Map<
      string,
      { records: ProducerRecord[]; sources: SourceRecord[]; entries: Submitted[] }
    >();
    for (const original of records) {
      const entry = this.track(original);
      let routed = this.toProducerRecord(original);
      if (routed instanceof Promise) routed = await routed;
      if (routed === null) {
        entry.acked = true;
        void Promise.resolve(this.deps.task.commitRecord(original, null)).catch(() => {});
        continue;
      }
      const { topic, record: producerRecord } = routed;
      let group = byTopic.get(topic);
      if (!group) {
        group = { records: [], sources: [], entries: [] };
        byTopic.set(topic, group);
      }
      group.records.push(producerRecord);
      group.sources.push(original);
      group.entries.push(entry);
    }
    for (const [topic, group] of byTopic) {
      this.inFlight += group.records.length;
      producer.sendBatch(topic, group.records).then(
        (metas) => {
          for (let i = 0; i < group.entries.length; i++) {
            group.entries[i]!.acked = true;
            const meta = metas[i]!;
            void Promise.resolve(
              this.deps.task.commitRecord(group.sources[i]!, {
                topic,
                partition: meta.partition,
                offset: meta.offset,
              }),
            ).catch(() => {});
          }
          this.released(group.records.length);
        },
        (err: Error) => {
          this.producerError ??= new ConnectError(
            'CONNECT_ERROR',
            `Unrecoverable exception from producer send: ${err.message}`,
            {
              cause: err,
            },
          );
          this.released(group.records.length);
        },
      );
    }
  }

  private released(n: number): void {
    this.inFlight -= n;
    for (const wake of this.waiters.splice(0)) wake();
  }

  private track(record: SourceRecord): Submitted {
    const entry: Submitted = { offset: record.sourceOffset, acked: false };
    if (record.sourcePartition === null) {
      entry.offset = null;
      return entry;
    }
    const key = offsetKey(this.deps.id.connector, record.sourcePartition);
    let queue = this.submitted.get(key);
    if (!queue) {
      queue = { partition: record.sourcePartition, records: [] };
      this.submitted.set(key, queue);
    }
    queue.records.push(entry);
    return entry;
  }

  /** Stores the offsets of every fully acknowledged prefix, then calls the task's commit. */
  commitOffsets(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const toStore = new Map<string, string | null>();
      for (const [key, queue] of this.submitted) {
        let last: Submitted | null = null;
        while (queue.records.length > 0 && queue.records[0]!.acked) last = queue.records.shift()!;
        if (last !== null && last.offset !== null) toStore.set(key, offsetValue(last.offset));
        if (queue.records.length === 0) this.submitted.delete(key);
      }
      if (toStore.size === 0) return;
      try {
        await this.deps.offsetStore.set(toStore);
        await this.deps.task.commit();
      } catch (err) {
        this.logger.error({ err }, 'failed to commit source offsets');
      }
    });
    return this.flushing;
  }

  protected async onStop(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    for (const wake of this.waiters.splice(0)) wake();
    try {
      await this.deps.task.stop();
    } finally {
      // What was sent before the stop gets its chance to be acknowledged and its offsets stored.
      await this.deps.producer.flush().catch(() => {});
      await this.commitOffsets();
      await this.deps.producer.close().catch(() => {});
    }
  }
}
