import type { Admin, Consumer, ConsumerRecord, Kafka, Producer } from '../../client/index.js';
import type { Logger } from '../../common/logger.js';
import { ConnectError } from '../connect-error.js';

export interface TopicSettings {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Read only committed records (the offset topic under exactly-once sources, KIP-618). */
  readonly readCommitted?: boolean;
}

/**
 * A compacted topic read from its start and followed (Kafka's KafkaBasedLog): every record goes to
 * `onRecord` in offset order per partition; `readToEnd` resolves once everything written before
 * the call has been handed over, so a worker's view is at least as new as what it wrote. Writes
 * go through one idempotent producer with acks=all.
 */
export class KafkaBasedLog {
  private consumer: Consumer | null = null;
  private producer: Producer | null = null;
  private partitions: number[] = [];
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly waiters: { ends: Map<number, bigint>; resolve: () => void }[] = [];
  private readonly abort = new AbortController();

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: TopicSettings,
    private readonly onRecord: (record: ConsumerRecord) => void,
    private readonly logger: Logger,
  ) {}

  get topic(): string {
    return this.settings.topic;
  }

  /**
   * Creates the topic when missing (compacted), reads it to its end (unless `readToEnd` is false:
   * the caller reads to the end before it needs the data) and keeps following it.
   */
  async start(admin: Admin, readToEnd = true): Promise<void> {
    const { topic, partitions, replicationFactor } = this.settings;
    if (!(await admin.listTopics()).includes(topic)) {
      try {
        await admin.createTopics([
          { topic, numPartitions: partitions, replicationFactor, configs: { 'cleanup.policy': 'compact' } },
        ]);
        this.logger.info({ topic, partitions }, 'created internal topic');
      } catch (err) {
        // Another worker may have created it at the same moment.
        if (!(await admin.listTopics()).includes(topic))
          throw new ConnectError('CONNECT_ERROR', `Could not create the internal topic ${topic}`, {
            cause: err,
          });
      }
    }
    const described = await admin.describeTopics([topic]);
    const info = described[0];
    if (!info) throw new ConnectError('CONNECT_ERROR', `The internal topic ${topic} has no metadata`);
    this.partitions = info.partitions.map((p) => p.partition).sort((a, b) => a - b);
    this.producer = this.kafka.producer({ acks: 'all' });
    this.consumer = this.kafka.consumer({
      autoOffsetReset: 'earliest',
      fetchMaxWaitMs: 100,
      isolationLevel: this.settings.readCommitted ? 'read_committed' : 'read_uncommitted',
    });
    this.consumer.assign(this.partitions.map((partition) => ({ topic, partition })));
    await this.consumer.seekToBeginning();
    this.running = true;
    this.loop = this.follow();
    if (readToEnd) await this.readToEnd(admin);
  }

  private async follow(): Promise<void> {
    const consumer = this.consumer!;
    while (this.running) {
      try {
        const records = await consumer.poll({ timeoutMs: 200, signal: this.abort.signal });
        for (const r of records) this.onRecord(r);
        this.wakeWaiters();
      } catch (err) {
        if (!this.running) return;
        this.logger.warn({ err, topic: this.settings.topic }, 'reading an internal topic failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private wakeWaiters(): void {
    const consumer = this.consumer!;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      const reached = [...w.ends].every(([partition, end]) => {
        const pos = consumer.position({ topic: this.settings.topic, partition });
        return pos !== null && pos >= end;
      });
      if (reached) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** Resolves once every record written before now has been read. */
  async readToEnd(admin: Admin): Promise<void> {
    const answers = await admin.listOffsets(
      this.partitions.map((partition) => ({
        topic: this.settings.topic,
        partition,
        timestamp: 'latest' as const,
      })),
    );
    const ends = new Map(answers.map((a) => [a.partition, a.offset]));
    this.logger.debug(
      { topic: this.settings.topic, ends: [...ends].map(([p, o]) => `${p}:${o}`) },
      'reading to the end',
    );
    await new Promise<void>((resolve) => {
      this.waiters.push({ ends, resolve });
      this.wakeWaiters();
    });
  }

  /** Writes one record (a null value is a tombstone) and resolves when the broker has it. */
  async send(key: string, value: string | null): Promise<void> {
    if (!this.producer) throw new ConnectError('CONNECT_ERROR', `${this.settings.topic} is not started`);
    await this.producer.send(this.settings.topic, { key, value });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
    for (const w of this.waiters.splice(0)) w.resolve();
    await this.producer?.close();
    await this.consumer?.close();
  }
}
