import * as fs from 'node:fs';
import { writeFileAtomically } from './checkpoint-file.js';
import { StorageError } from './storage-error.js';

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

/**
 * Kafka's LeaderEpochFileCache: the first offset of each leader epoch (KIP-101, KIP-279), kept
 * in `leader-epoch-checkpoint` (version 0, count, `epoch startOffset` lines) in the partition dir.
 * Entries strictly increase in both epoch and start offset.
 */
export class LeaderEpochCache {
  private entries: EpochEntry[];
  private readonly path: string | null;

  constructor(path: string | null, entries: EpochEntry[] = []) {
    this.path = path;
    this.entries = entries;
  }

  static load(path: string): LeaderEpochCache {
    if (!fs.existsSync(path)) return new LeaderEpochCache(path);
    const lines = fs
      .readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    const count = Number(lines[1]);
    if (lines[0] !== '0' || lines.length !== count + 2) {
      throw new StorageError('CORRUPT_CHECKPOINT', `${path}: malformed leader epoch checkpoint`);
    }
    const entries = lines.slice(2).map((l) => {
      const [e, o] = l.split(' ').map(Number);
      if (!Number.isInteger(e) || !Number.isSafeInteger(o)) {
        throw new StorageError('CORRUPT_CHECKPOINT', `${path}: malformed line "${l}"`);
      }
      return { epoch: e!, startOffset: o! };
    });
    return new LeaderEpochCache(path, entries);
  }

  all(): readonly EpochEntry[] {
    return this.entries;
  }

  latestEpoch(): number {
    return this.entries.length === 0 ? UNDEFINED_EPOCH : this.entries[this.entries.length - 1]!.epoch;
  }

  /**
   * Whether `assign(epoch, startOffset)` would change anything (Kafka's isUpdateNeeded): an epoch
   * other than the latest, or the latest starting earlier than recorded.
   */
  isUpdateNeeded(epoch: number, startOffset: number): boolean {
    const latest = this.entries[this.entries.length - 1];
    return latest === undefined || epoch !== latest.epoch || startOffset < latest.startOffset;
  }

  /**
   * Records that `epoch` starts at `startOffset`, as Kafka's LeaderEpochFileCache.assign: nothing
   * happens unless an update is needed; otherwise the entries at the end that the new one
   * contradicts (an epoch at or above it, or a start offset at or past it) are removed first, so
   * epochs and start offsets keep increasing together. Returns whether the cache changed.
   */
  assign(epoch: number, startOffset: number): boolean {
    if (epoch < 0 || startOffset < 0) return false;
    if (!this.isUpdateNeeded(epoch, startOffset)) return false;
    let keep = this.entries.length;
    while (keep > 0) {
      const e = this.entries[keep - 1]!;
      if (e.epoch < epoch && e.startOffset < startOffset) break;
      keep--;
    }
    this.entries = [...this.entries.slice(0, keep), { epoch, startOffset }];
    this.writeCheckpoint();
    return true;
  }

  /**
   * OffsetForLeaderEpoch: (the largest epoch <= requested, the start offset of the first epoch
   * after it, or the log end offset when the requested epoch is the latest). Kafka's endOffsetFor.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    const undefinedResult = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH || this.entries.length === 0) return undefinedResult;
    if (requestedEpoch === this.latestEpoch()) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higher = this.entries.find((e) => e.epoch > requestedEpoch);
    if (higher === undefined) return undefinedResult;
    let floor: EpochEntry | undefined;
    for (const e of this.entries) if (e.epoch <= requestedEpoch) floor = e;
    return floor === undefined
      ? { epoch: requestedEpoch, endOffset: higher.startOffset }
      : { epoch: floor.epoch, endOffset: higher.startOffset };
  }

  /** After truncating the log to `endOffset`: drop epochs starting at or after it. */
  truncateFromEnd(endOffset: number): void {
    const kept = this.entries.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.entries.length) return;
    this.entries = kept;
    this.writeCheckpoint();
  }

  /** After the log start offset moves: epochs before it collapse into one starting at it. */
  truncateFromStart(startOffset: number): void {
    let lastBefore = -1;
    for (let i = 0; i < this.entries.length; i++)
      if (this.entries[i]!.startOffset <= startOffset) lastBefore = i;
    if (lastBefore < 0 || (lastBefore === 0 && this.entries[0]!.startOffset === startOffset)) return;
    const head = { epoch: this.entries[lastBefore]!.epoch, startOffset };
    this.entries = [head, ...this.entries.slice(lastBefore + 1)];
    this.writeCheckpoint();
  }

  /** Rewrites the leader-epoch-checkpoint file (atomically: a new file renamed over the old). */
  private writeCheckpoint(): void {
    if (this.path === null) return;
    const lines = [
      '0',
      String(this.entries.length),
      ...this.entries.map((e) => `${e.epoch} ${e.startOffset}`),
    ];
    writeFileAtomically(this.path, `${lines.join('\n')}\n`);
  }
}
