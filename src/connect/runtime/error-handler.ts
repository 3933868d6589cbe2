import type { Producer, ProducerRecord } from '../../client/index.js';
import type { Logger } from '../../common/logger.js';
import { ConnectError, RetriableError } from '../connect-error.js';

/** The stages Kafka's RetryWithToleranceOperator names in logs and dead letter queue headers. */
export type ErrorStage =
  | 'KEY_CONVERTER'
  | 'VALUE_CONVERTER'
  | 'HEADER_CONVERTER'
  | 'TRANSFORMATION'
  | 'TASK_PUT'
  | 'KAFKA_PRODUCE';

/** The `errors.*` keys of a connector. */
export interface ErrorHandlingConfig {
  readonly retryTimeoutMs: number;
  readonly retryDelayMaxMs: number;
  readonly tolerance: 'none' | 'all';
  readonly logEnable: boolean;
  readonly logIncludeMessages: boolean;
  readonly dlqTopic: string;
  readonly dlqContextHeaders: boolean;
}

export function errorHandlingConfig(props: Readonly<Record<string, string>>): ErrorHandlingConfig {
  const num = (key: string, dflt: number) => (props[key] !== undefined ? Number(props[key]) : dflt);
  const bool = (key: string) => (props[key] ?? 'false').trim().toLowerCase() === 'true';
  return {
    retryTimeoutMs: num('errors.retry.timeout', 0),
    retryDelayMaxMs: num('errors.retry.delay.max.ms', 60000),
    tolerance: (props['errors.tolerance'] ?? 'none').trim().toLowerCase() === 'all' ? 'all' : 'none',
    logEnable: bool('errors.log.enable'),
    logIncludeMessages: bool('errors.log.include.messages'),
    dlqTopic: (props['errors.deadletterqueue.topic.name'] ?? '').trim(),
    dlqContextHeaders: bool('errors.deadletterqueue.context.headers.enable'),
  };
}

/** The record an operation failed on, as consumed (sinks) or produced (sources). */
export interface FailedRecord {
  readonly topic: string;
  readonly partition: number | null;
  readonly offset: bigint | null;
  readonly timestamp: number | null;
  /** The raw bytes, for the dead letter queue (sinks). */
  readonly key?: Buffer | null;
  readonly value?: Buffer | null;
  readonly headers?: readonly { key: string; value: Buffer | null }[];
  /** What errors.log.include.messages shows. */
  describe(): string;
}

export const SKIPPED: unique symbol = Symbol('skipped');

/** Kafka's first retry delay; each next one doubles, up to errors.retry.delay.max.ms. */
const RETRY_DELAY_START_MS = 300;

/**
 * Kafka's RetryWithToleranceOperator: runs a stage of a record's processing; a RetriableError is
 * retried with exponential back-off for errors.retry.timeout (-1: forever); a failure is then
 * fatal (errors.tolerance=none) or skips the record (all), logged with errors.log.enable and sent
 * to the dead letter queue (sink connectors), with Kafka's __connect.errors.* headers when
 * errors.deadletterqueue.context.headers.enable is set.
 */
export class ErrorHandler {
  constructor(
    readonly config: ErrorHandlingConfig,
    private readonly context: {
      readonly connector: string;
      readonly task: number;
      readonly logger: Logger;
      readonly dlqProducer: Producer | null;
      readonly isStopping: () => boolean;
    },
  ) {}

  /** Runs a synchronous stage; fast when it succeeds, a promise when it failed. */
  execute<T>(
    stage: ErrorStage,
    className: string,
    op: () => T,
    record: () => FailedRecord,
  ): T | Promise<T | typeof SKIPPED> {
    try {
      return op();
    } catch (err) {
      return this.failed(stage, className, op, record, err);
    }
  }

  private async failed<T>(
    stage: ErrorStage,
    className: string,
    op: () => T,
    record: () => FailedRecord,
    first: unknown,
  ): Promise<T | typeof SKIPPED> {
    let error = first;
    if (error instanceof RetriableError && this.config.retryTimeoutMs !== 0) {
      const deadline =
        this.config.retryTimeoutMs < 0 ? Number.POSITIVE_INFINITY : Date.now() + this.config.retryTimeoutMs;
      let delay = RETRY_DELAY_START_MS;
      while (error instanceof RetriableError && Date.now() < deadline && !this.context.isStopping()) {
        await new Promise((r) => setTimeout(r, Math.min(delay, deadline - Date.now())));
        delay = Math.min(delay * 2, this.config.retryDelayMaxMs);
        try {
          return op();
        } catch (err) {
          error = err;
        }
      }
    }
    await this.report(stage, className, record(), error instanceof Error ? error : new Error(String(error)));
    return SKIPPED;
  }

  /** Reports a failure: fatal with errors.tolerance=none, otherwise logged and sent to the DLQ. */
  async report(stage: ErrorStage, className: string, record: FailedRecord, error: Error): Promise<void> {
    if (this.config.logEnable || this.config.tolerance === 'none') {
      const where = `topic='${record.topic}', partition=${record.partition}, offset=${record.offset}, timestamp=${record.timestamp}`;
      this.context.logger.error(
        {
          err: error,
          stage,
          className,
          ...(this.config.logIncludeMessages ? { record: record.describe() } : {}),
        },
        `Error encountered in task ${this.context.connector}-${this.context.task}. Executing stage '${stage}' with class '${className}', where consumed record is {${where}}.`,
      );
    }
    if (this.config.tolerance === 'none')
      throw new ConnectError('CONNECT_ERROR', 'Tolerance exceeded in error handler', { cause: error });
    if (this.context.dlqProducer && this.config.dlqTopic !== '')
      await this.toDeadLetterQueue(stage, className, record, error);
  }

  private async toDeadLetterQueue(
    stage: ErrorStage,
    className: string,
    record: FailedRecord,
    error: Error,
  ): Promise<void> {
    const headers = [...(record.headers ?? [])];
    if (this.config.dlqContextHeaders) {
      const add = (key: string, value: string | null) =>
        headers.push({ key: `__connect.errors.${key}`, value: value === null ? null : Buffer.from(value) });
      add('topic', record.topic);
      add('partition', record.partition === null ? null : String(record.partition));
      add('offset', record.offset === null ? null : String(record.offset));
      add('connector.name', this.context.connector);
      add('task.id', String(this.context.task));
      add('stage', stage);
      add('class.name', className);
      add('exception.class.name', error.name);
      add('exception.message', error.message);
      add('exception.stacktrace', error.stack ?? null);
    }
    const dlqRecord: ProducerRecord = { key: record.key ?? null, value: record.value ?? null, headers };
    if (record.timestamp !== null) dlqRecord.timestamp = record.timestamp;
    try {
      await this.context.dlqProducer!.send(this.config.dlqTopic, dlqRecord);
    } catch (err) {
      this.context.logger.error(
        { err, topic: this.config.dlqTopic },
        'could not produce message to dead letter queue',
      );
    }
  }
}
