import type { Logger } from '../common/logger.js';
import { applyMetadataRecord } from './apply-metadata-record.js';
import type { ControllerResult, MetadataRecord } from './controller/metadata-record.js';
import { imageToRecords } from './image-to-records.js';
import { MetadataImage } from './metadata-image.js';
import type { MetadataLog } from './metadata-log.js';

/** Told after records were made durable and applied to the image; the operation answers once it settles. */
export type MetadataListener = (
  records: readonly MetadataRecord[],
  image: MetadataImage,
) => void | Promise<void>;

/**
 * The shell around the controller core: runs one operation at a time against the current image,
 * makes its records durable in the metadata log, applies them, tells listeners, and only then
 * returns the operation's response — so no client hears of a topic that a crash could forget.
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
  }

  onChange(listener: MetadataListener): void {
    this.listeners.push(listener);
  }

  /**
   * Runs `op` when every earlier operation has finished, so each sees the image its predecessors
   * left. Records are appended before the response is released.
   */
  submit<T>(op: (image: MetadataImage) => ControllerResult<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const { records, response } = op(this.image);
      if (records.length > 0) {
        const last = await this.log.append(records);
        for (const r of records) applyMetadataRecord(this.image, r);
        this.image.offset = last;
        for (const l of this.listeners) await l(records, this.image);
        if (this.log.bytesSinceSnapshot >= this.snapshotAfterBytes) {
          await this.log.writeSnapshot(imageToRecords(this.image), this.image.offset);
        }
      }
      return response;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.log.close();
  }
}
