import type { Producer, ProducerRecord } from '../../client/index.js';
import type { Logger } from '../../common/logger.js';
import type { SourceMap, SourceRecord } from '../api/connect-record.js';
import type { SourceTask } from '../api/task.js';
import { ConnectError, RetriableError } from '../connect-error.js';
import type { Converter, HeaderConverter } from '../converters/converter.js';
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
  readonly offsetStore: OffsetBackingStore;
  readonly offsetFlushIntervalMs: number;
  readonly logger: Logger;
  readonly onState: StateListener;
}

/** Records sent but not yet all acknowledged beyond which polling waits (bounds memory). */
const IN_FLIGHT_RECORDS_MAX = 10_000;

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
  private producerError: Error | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly deps: WorkerSourceTaskDeps) {
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
    this.send(records);
  }

  private send(records: readonly SourceRecord[]): void {
    const { transform, keyConverter, valueConverter, headerConverter, producer } = this.deps;
    const byTopic = new Map<
      string,
      { records: ProducerRecord[]; sources: SourceRecord[]; entries: Submitted[] }
    >();
    for (const original of records) {
      const entry = this.track(original);
      const record = transform(original);
      if (record === null) {
        entry.acked = true;
        void Promise.resolve(this.deps.task.commitRecord(original, null)).catch(() => {});
        continue;
      }
      const producerRecord: ProducerRecord = {
        key: keyConverter.fromConnectData(record.topic, record.keySchema, record.key),
        value: valueConverter.fromConnectData(record.topic, record.valueSchema, record.value),
        headers: record.headers.map((h) => ({
          key: h.key,
          value: headerConverter.fromConnectHeader(record.topic, h.key, h.schema, h.value),
        })),
      };
      if (record.kafkaPartition !== null) producerRecord.partition = record.kafkaPartition;
      if (record.timestamp !== null) producerRecord.timestamp = record.timestamp;
      let group = byTopic.get(record.topic);
      if (!group) {
        group = { records: [], sources: [], entries: [] };
        byTopic.set(record.topic, group);
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
