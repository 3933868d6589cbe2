import type { Admin, Kafka } from '../../client/index.js';
import type { Logger } from '../../common/logger.js';
import type { OffsetBackingStore } from '../runtime/offset-store.js';
import { KafkaBasedLog, type TopicSettings } from './kafka-based-log.js';

/**
 * Source offsets in `offset.storage.topic` (Kafka's KafkaOffsetBackingStore): each record's key is
 * Kafka's `["<connector>",{<partition>}]` JSON and its value the offset's JSON (a null value
 * deletes it), so a task resumes on any worker where the last one stopped. Reads first catch up
 * with the topic, so an offset written by another worker just before is seen.
 */
export class KafkaOffsetBackingStore implements OffsetBackingStore {
  private readonly data = new Map<string, string>();
  private readonly log: KafkaBasedLog;
  private readonly readCommitted: boolean;

  constructor(
    kafka: Kafka,
    settings: TopicSettings,
    private readonly admin: Admin,
    logger: Logger,
  ) {
    this.readCommitted = settings.readCommitted === true;
    this.log = new KafkaBasedLog(
      kafka,
      settings,
      (r) => {
        const key = r.key?.toString('utf8');
        if (key === undefined) return;
        if (r.value === null) this.data.delete(key);
        else this.data.set(key, r.value.toString('utf8'));
      },
      logger,
    );
  }

  get topic(): string {
    return this.log.topic;
  }

  /**
   * Under read_committed the start does not wait for the end: a transaction a killed worker left
   * open holds the last stable offset until the task's new producer fences it, which happens after
   * the worker starts; every read (get, all) reads to the end first anyway.
   */
  start(): Promise<void> {
    return this.log.start(this.admin, !this.readCommitted);
  }

  stop(): Promise<void> {
    return this.log.stop();
  }

  async get(keys: readonly string[]): Promise<Map<string, string | null>> {
    await this.log.readToEnd(this.admin);
    return new Map(keys.map((k) => [k, this.data.get(k) ?? null]));
  }

  async set(entries: ReadonlyMap<string, string | null>): Promise<void> {
    await Promise.all([...entries].map(([k, v]) => this.log.send(k, v)));
    for (const [k, v] of entries) {
      if (v === null) this.data.delete(k);
      else this.data.set(k, v);
    }
  }

  async all(): Promise<Map<string, string>> {
    await this.log.readToEnd(this.admin);
    return new Map(this.data);
  }
}
