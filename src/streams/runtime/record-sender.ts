import type { Producer } from '../../client/index.js';
import type { ProductionExceptionHandler } from '../exception-handlers.js';
import { StreamsError } from '../streams-error.js';
import type { CollectedRecord, RecordCollector } from './record-collector.js';
import { isTaskMigrated } from './task-migrated.js';

/**
 * The RecordCollector of a running application, as Kafka's RecordCollectorImpl: records go to the
 * producer without a promise each, in the order the tasks wrote them (a record that must wait for
 * metadata or buffer memory holds the ones after it back), and the first failure is kept to be
 * thrown at the next flush, so a commit never covers output that was lost.
 */
export class RecordSender implements RecordCollector {
  private blocked: Promise<void> | null = null;
  private failure: Error | null = null;
  /** Bumped when the producer is replaced: records queued for the old one are dropped. */
  private generation = 0;

  /** Records the production exception handler chose to drop (CONTINUE), for the log and tests. */
  skipped = 0;
  /** The offset of the last acknowledged record per topic-partition (`topic\0partition`), for checkpoints. */
  readonly acked = new Map<string, bigint>();

  constructor(
    private producer: Producer,
    private readonly partitionCounts: (topic: string) => number | null,
    private readonly handler: ProductionExceptionHandler | null = null,
  ) {}

  /**
   * Sends through `producer` from now on, forgetting what was queued for the old one and its
   * failure: after a fenced producer the tasks are closed dirty and their records will be
   * processed again (Kafka's RecordCollectorImpl is closed dirty and made anew with the producer).
   */
  reset(producer: Producer): void {
    this.generation++;
    this.producer = producer;
    this.blocked = null;
    this.failure = null;
  }

  send(record: CollectedRecord): void {
    // Once one record waits, every later one queues behind it: each link of the chain resolves
    // only when its record is in the producer, so records reach it in the order written.
    if (this.blocked !== null) {
      const generation = this.generation;
      this.blocked = this.blocked.then(() =>
        generation === this.generation ? this.sendNow(record) : undefined,
      );
    } else {
      const wait = this.sendNow(record);
      if (wait !== undefined) this.blocked = wait;
    }
  }

  partitionsFor(topic: string): number | null {
    return this.partitionCounts(topic);
  }

  /** Waits until every record is acknowledged; throws the first failure since the last flush. */
  async flush(): Promise<void> {
    while (this.blocked !== null) {
      const waiting = this.blocked;
      await waiting;
      if (this.blocked === waiting) this.blocked = null;
    }
    await this.producer.flush();
    this.throwIfFailed();
  }

  throwIfFailed(): void {
    const failure = this.failure;
    if (failure !== null) {
      this.failure = null;
      throw failure;
    }
  }

  /** Hands the record to the producer; a promise when it has to wait (metadata, buffer memory). */
  private sendNow(record: CollectedRecord): Promise<void> | undefined {
    const generation = this.generation;
    try {
      const wait = this.producer.sendWithCallback(
        record.topic,
        {
          key: record.key,
          value: record.value,
          timestamp: record.timestamp,
          headers: record.headers.map((h) => ({ key: h.key, value: h.value })),
          ...(record.partition === undefined ? {} : { partition: record.partition }),
        },
        (err, metadata) => {
          if (generation !== this.generation) return;
          if (err) this.failed(record, err);
          else if (metadata) {
            const key = `${metadata.topic}\u0000${metadata.partition}`;
            const previous = this.acked.get(key);
            if (previous === undefined || metadata.offset > previous) this.acked.set(key, metadata.offset);
          }
        },
      );
      return wait?.catch((err: Error) => {
        if (generation === this.generation) this.failed(record, err);
      });
    } catch (err) {
      this.failed(record, err as Error);
      return undefined;
    }
  }

  /**
   * Kafka's RecordCollectorImpl.recordSendError: fencing and rebalancing errors always fail the
   * next commit (the tasks migrated); any other goes to the production exception handler, which
   * may drop the record (CONTINUE) rather than fail the thread.
   */
  private failed(record: CollectedRecord, err: Error): void {
    if (this.failure !== null) return;
    if (this.handler !== null && !isTaskMigrated(err)) {
      let response: 'CONTINUE' | 'FAIL';
      try {
        response = this.handler.handle(null, record, err);
      } catch (cause) {
        this.failure = new StreamsError('HANDLER_FAILED', 'the production exception handler threw', {
          cause,
        });
        return;
      }
      if (response === 'CONTINUE') {
        this.skipped++;
        return;
      }
      this.failure = new StreamsError(
        'PRODUCTION_FAILED',
        `Error encountered sending record to topic ${record.topic}: ${err.message}; the production exception handler says FAIL`,
        { cause: err },
      );
      return;
    }
    this.failure = err;
  }
}
