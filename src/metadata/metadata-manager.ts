import type { Logger } from '../common/logger.js';
import { applyMetadataRecord } from './apply-metadata-record.js';
import type { ControllerResult, MetadataRecord } from './controller/metadata-record.js';
import { imageToRecords } from './image-to-records.js';
import { MetadataImage } from './metadata-image.js';
import { type MetadataLog, MetadataLogMovedError } from './metadata-log.js';

/** Told after records were made durable and applied to the image; the operation answers once it settles. */
export type MetadataListener = (
  records: readonly MetadataRecord[],
  image: MetadataImage,
) => void | Promise<void>;

/**
 * How many times an operation is decided again after another writer appended first before it
 * gives up: each retry has read that writer's records, so only a storm of writers exhausts this.
 */
const MAX_APPEND_ATTEMPTS = 10;

/**
 * The shell around the controller core: runs one operation at a time against the current image,
 * makes its records durable in the metadata log, applies them, tells listeners, and only then
 * returns the operation's response — so no client hears of a topic that a crash could forget.
 *
 * On a shared log (etcd, in a cluster) it also applies, in the same order and through the same
 * listeners, the records other brokers append, and runs each operation on an image that has read
 * every record before it: an operation whose append finds the log moved is decided again.
 */
export class MetadataManager {
  readonly image = new MetadataImage();
  private readonly listeners: MetadataListener[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly log: MetadataLog,
    private readonly logger: Logger,
    /** Kafka's metadata.log.max.record.bytes.between.snapshots. */
    private readonly snapshotAfterBytes = 20 * 1024 * 1024,
  ) {}

  /** Replays the log into the image; call once before serving. */
  async load(): Promise<void> {
    let count = 0;
    await this.log.replay((record, offset) => {
      applyMetadataRecord(this.image, record);
      this.image.offset = offset;
      count++;
    });
    this.logger.info({ records: count, topics: this.image.topicsByName.size }, 'metadata loaded');
    if (this.log.watch) this.log.watch(() => void this.catchUp().catch(() => undefined));
  }

  /**
   * Applies what other writers appended to a shared log (a no-op on a local log); resolves once
   * those records are applied and every listener has been told. Queued with the operations.
   */
  catchUp(): Promise<void> {
    return this.enqueue(() => this.readShared());
  }

  private async readShared(): Promise<void> {
    if (!this.log.readNew) return;
    let batches: Awaited<ReturnType<NonNullable<MetadataLog['readNew']>>>;
    try {
      batches = await this.log.readNew();
    } catch (err) {
      this.logger.error({ err }, 'reading the shared metadata log failed');
      throw err;
    }
    for (const b of batches) await this.applyDurable(b.records, b.lastOffset);
  }

  private async applyDurable(records: readonly MetadataRecord[], lastOffset: bigint): Promise<void> {
    for (const r of records) applyMetadataRecord(this.image, r);
    this.image.offset = lastOffset;
    for (const l of this.listeners) await l(records, this.image);
  }

  onChange(listener: MetadataListener): void {
    this.listeners.push(listener);
  }

  /**
   * Runs `op` when every earlier operation has finished, so each sees the image its predecessors
   * left. Records are appended before the response is released.
   */
  submit<T>(op: (image: MetadataImage) => ControllerResult<T>): Promise<T> {
    return this.enqueue(async () => {
      for (let attempt = 1; ; attempt++) {
        await this.readShared();
        const { records, response } = op(this.image);
        if (records.length === 0) return response;
        let last: bigint;
        try {
          last = await this.log.append(records);
        } catch (err) {
          if (err instanceof MetadataLogMovedError && attempt < MAX_APPEND_ATTEMPTS) continue;
          throw err;
        }
        await this.applyDurable(records, last);
        if (this.log.bytesSinceSnapshot >= this.snapshotAfterBytes) {
          await this.log.writeSnapshot(imageToRecords(this.image), this.image.offset);
        }
        return response;
      }
    });
  }

  /** Runs `task` when every earlier operation has finished, so each sees the image its predecessors left. */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task, task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.log.close();
  }
}
