import * as fs from 'node:fs';
import { join } from 'node:path';
import { type Clock, systemClock } from '../common/clock.js';
import { type Logger, noopLogger } from '../common/logger.js';
import {
  parseTpDirName,
  readOffsetCheckpoint,
  syncDir,
  type TopicPartition,
  tpKey,
  writeFileAtomically,
  writeOffsetCheckpoint,
  writeOffsetCheckpointAsync,
} from './checkpoint-file.js';
import { LogCleaner } from './compaction/log-cleaner.js';
import { FileHandleCache } from './file-handle-cache.js';
import { type LogConfig, makeLogConfig } from './log-config.js';
import { LogDirLock } from './log-dir-lock.js';
import { ensureMetaProperties } from './meta-properties.js';
import { PartitionLog } from './partition-log.js';
import { isIoError, offlineError, StorageError } from './storage-error.js';

export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint';
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';

/** True when `dir` takes a write and an fsync again; the probe file is removed either way. */
async function writeProbe(dir: string): Promise<boolean> {
  const path = join(dir, WRITE_PROBE_FILE);
  try {
    const fh = await fs.promises.open(path, 'w');
    try {
      await fh.write(Buffer.alloc(WRITE_PROBE_BYTES), 0, WRITE_PROBE_BYTES, 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return true;
  } catch (e) {
    if (!isIoError(e)) throw e;
    return false;
  } finally {
    await fs.promises.rm(path, { force: true }).catch(() => undefined);
  }
}

export interface LogManagerOptions {
  /** log.dirs */
  logDirs: string[];
  clusterId: string;
  nodeId: number;
  /** Broker-wide defaults (log.* configs); topic overrides come through topicConfig. */
  defaultConfig?: Partial<LogConfig>;
  /** Per-topic overrides, asked when a partition is loaded or created. */
  topicConfig?: (topic: string) => Partial<LogConfig>;
  /** Upper bound on open segment and index files across all partitions. */
  maxOpenFiles?: number;
  /** Wall time for timestamps, retention and segment.ms, and timers for deferred deletes. */
  clock?: Clock;
  logger?: Logger;
  /** log.retention.check.interval.ms */
  retentionCheckIntervalMs?: number;
  /** log.flush.offset.checkpoint.interval.ms: recovery points, log start and cleaner offsets. */
  checkpointIntervalMs?: number;
  /** replica.high.watermark.checkpoint.interval.ms: how often `replication-offset-checkpoint` is written (5 s in Kafka). */
  highWatermarkCheckpointIntervalMs?: number;
  /** log.flush.scheduler.interval.ms: how often flush.ms is checked. */
  flushCheckIntervalMs?: number;
  /** log.cleaner.backoff.ms: how often the cleaner looks for dirty compacted logs. */
  cleanerBackoffMs?: number;
  /** How often an offline log dir is tried for writing again (see retryOfflineDirs). */
  offlineDirRetryIntervalMs?: number;
  /** producer.id.expiration.ms: idle producer ids are forgotten after this. */
  producerIdExpirationMs?: number;
  /** producer.id.expiration.check.interval.ms: how often expired producer ids are looked for. */
  producerIdExpirationCheckIntervalMs?: number;
}

/** Written, fsynced and removed to see whether an offline log dir takes writes again. */
const WRITE_PROBE_FILE = '.write-probe';
const WRITE_PROBE_BYTES = 64 * 1024;

interface LogDir {
  path: string;
  /** Partitions placed in this dir (for choosing where a new one goes). */
  partitionCount: number;
  lock: LogDirLock | null;
  offline: boolean;
  /** Set while an offline dir's logs are being closed and reopened (retryOfflineDirs). */
  recovering: boolean;
  hadCleanShutdown: boolean;
  /** Checkpointed offsets of partitions not loaded yet, carried into the next checkpoint. */
  recoveryPoints: Map<string, { tp: TopicPartition; offset: number }>;
  logStartOffsets: Map<string, { tp: TopicPartition; offset: number }>;
  highWatermarks: Map<string, { tp: TopicPartition; offset: number }>;
  cleanerOffsets: Map<string, { tp: TopicPartition; offset: number }>;
}

type OffsetEntries = Map<string, { tp: TopicPartition; offset: number }>;

/** A dir's four offset checkpoint files and what goes in each. */
function checkpointsOf(d: LogDir): [string, OffsetEntries][] {
  return [
    [RECOVERY_POINT_CHECKPOINT, d.recoveryPoints],
    [LOG_START_OFFSET_CHECKPOINT, d.logStartOffsets],
    [REPLICATION_OFFSET_CHECKPOINT, d.highWatermarks],
    [CLEANER_OFFSET_CHECKPOINT, d.cleanerOffsets],
  ];
}

interface Entry {
  tp: TopicPartition;
  dir: LogDir;
  log: PartitionLog | null;
}

/**
 * Owns the log dirs: locks them, checks meta.properties, knows every partition directory, loads
 * partitions on first use, writes the offset checkpoints, runs retention and flush.ms, and leaves
 * the clean-shutdown marker. An I/O error takes one log dir offline; the others keep serving.
 */
export class LogManager {
  private readonly opts: LogManagerOptions;
  private readonly dirs: LogDir[] = [];
  private readonly entries = new Map<string, Entry>();
  readonly cache: FileHandleCache;
  readonly logger: Logger;
  readonly cleaner: LogCleaner;
  private readonly clock: Clock;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private backgroundCheckpoint: Promise<void> | null = null;

  private constructor(opts: LogManagerOptions) {
    this.opts = opts;
    this.cache = new FileHandleCache(opts.maxOpenFiles ?? 1024);
    this.logger = (opts.logger ?? noopLogger).child({ component: 'log-manager' });
    this.clock = opts.clock ?? systemClock;
    this.cleaner = new LogCleaner(this, this.cache, opts.logger ?? noopLogger);
  }

  /**
   * Opens every log dir. A dir locked by another process, or whose meta.properties names another
   * cluster or node, refuses start-up; a dir failing with an I/O error starts offline.
   */
  static open(opts: LogManagerOptions): LogManager {
    const m = new LogManager(opts);
    try {
      for (const path of opts.logDirs) m.openDir(path);
    } catch (e) {
      for (const d of m.dirs) d.lock?.release();
      throw e;
    }
    if (m.dirs.every((d) => d.offline)) {
      for (const d of m.dirs) d.lock?.release();
      throw new StorageError('KAFKA_STORAGE_ERROR', 'every log dir is offline');
    }
    return m;
  }

  private openDir(path: string): void {
    const dir: LogDir = {
      path,
      partitionCount: 0,
      lock: null,
      offline: false,
      recovering: false,
      hadCleanShutdown: false,
      recoveryPoints: new Map(),
      logStartOffsets: new Map(),
      highWatermarks: new Map(),
      cleanerOffsets: new Map(),
    };
    this.dirs.push(dir);
    try {
      fs.mkdirSync(path, { recursive: true });
      dir.lock = LogDirLock.acquire(path);
      ensureMetaProperties(path, { clusterId: this.opts.clusterId, nodeId: this.opts.nodeId });
      const marker = join(path, CLEAN_SHUTDOWN_FILE);
      dir.hadCleanShutdown = fs.existsSync(marker);
      dir.recoveryPoints = readOffsetCheckpoint(join(path, RECOVERY_POINT_CHECKPOINT));
      dir.logStartOffsets = readOffsetCheckpoint(join(path, LOG_START_OFFSET_CHECKPOINT));
      dir.highWatermarks = readOffsetCheckpoint(join(path, REPLICATION_OFFSET_CHECKPOINT));
      dir.cleanerOffsets = readOffsetCheckpoint(join(path, CLEANER_OFFSET_CHECKPOINT));
      for (const name of fs.readdirSync(path)) {
        // A partition deletion interrupted by a crash: finish it.
        if (name.endsWith('-delete')) {
          fs.rmSync(join(path, name), { recursive: true, force: true });
          continue;
        }
        const tp = parseTpDirName(name);
        if (tp === null || !fs.statSync(join(path, name)).isDirectory()) continue;
        this.entries.set(tpKey(tp), { tp, dir, log: null });
        dir.partitionCount++;
      }
      // The marker only vouches for the stop before this start: remove it now, so a crash from
      // here on is recovered. Partitions loaded later still use hadCleanShutdown from this read.
      if (dir.hadCleanShutdown) {
        fs.rmSync(marker);
        syncDir(path);
      }
      this.logger.info(
        { logDir: path, partitions: this.entries.size, cleanShutdown: dir.hadCleanShutdown },
        'log dir opened',
      );
    } catch (e) {
      if (!isIoError(e)) throw e;
      this.markOffline(dir, e);
    }
  }

  /** Log dirs and whether each is online. */
  logDirs(): Array<{ path: string; online: boolean }> {
    return this.dirs.map((d) => ({ path: d.path, online: !d.offline }));
  }

  /** Every partition with a directory in an online log dir, loaded or not. */
  partitions(): TopicPartition[] {
    return [...this.entries.values()].map((e) => e.tp);
  }

  configFor(topic: string): LogConfig {
    return makeLogConfig({ ...this.opts.defaultConfig, ...this.opts.topicConfig?.(topic) });
  }

  /**
   * Whether the partition has a log here: a directory found at start-up or created since. A
   * partition never written has none, and needs none until its first use.
   */
  hasLog(tp: TopicPartition): boolean {
    return this.entries.has(tpKey(tp));
  }

  /** The log dir a partition without a log would be created in now; null when none is online. */
  placementDir(): string | null {
    return this.placement()?.path ?? null;
  }

  /** The online log dir holding the fewest partitions. */
  private placement(): LogDir | undefined {
    let dir: LogDir | undefined;
    for (const d of this.dirs)
      if (!d.offline && (dir === undefined || d.partitionCount < dir.partitionCount)) dir = d;
    return dir;
  }

  /** The partition's log, loading it on first use; null when it does not exist here. */
  getLog(tp: TopicPartition): PartitionLog | null {
    this.checkOpen();
    const e = this.entries.get(tpKey(tp));
    if (e === undefined) return null;
    if (e.dir.offline) throw offlineError(e.dir.path);
    if (e.log === null) e.log = this.load(e);
    return e.log;
  }

  /** The partition's log, created in the online log dir holding the fewest partitions if new. */
  getOrCreateLog(tp: TopicPartition): PartitionLog {
    const existing = this.getLog(tp);
    if (existing !== null) return existing;
    // The name becomes a directory: refuse anything Kafka's topic rules would (and so any path).
    if (
      !/^[a-zA-Z0-9._-]{1,249}$/.test(tp.topic) ||
      tp.topic === '.' ||
      tp.topic === '..' ||
      !(tp.partition >= 0)
    ) {
      throw new StorageError('INVALID_TOPIC', `invalid topic-partition ${tp.topic}-${tp.partition}`);
    }
    const dir = this.placement();
    if (dir === undefined) throw new StorageError('KAFKA_STORAGE_ERROR', 'no online log dir');
    dir.partitionCount++;
    const e: Entry = { tp, dir, log: null };
    this.entries.set(tpKey(tp), e);
    e.log = this.load(e);
    return e.log;
  }

  private load(e: Entry): PartitionLog {
    const key = tpKey(e.tp);
    const dir = e.dir;
    try {
      return PartitionLog.open({
        dir: join(dir.path, key),
        topicPartition: e.tp,
        config: this.configFor(e.tp.topic),
        cache: this.cache,
        now: () => this.clock.nowMs(),
        schedule: (fn, delayMs) => {
          this.clock.setTimer(delayMs, fn);
        },
        logger: (this.opts.logger ?? noopLogger).child({ topic: e.tp.topic, partition: e.tp.partition }),
        recoveryPoint: dir.recoveryPoints.get(key)?.offset ?? 0,
        logStartOffset: dir.logStartOffsets.get(key)?.offset ?? 0,
        highWatermark: dir.highWatermarks.get(key)?.offset ?? 0,
        hadCleanShutdown: dir.hadCleanShutdown,
        onIoError: (err) => this.markOffline(dir, err),
        isOffline: () => dir.offline,
        ...(this.opts.producerIdExpirationMs !== undefined && {
          producerIdExpirationMs: this.opts.producerIdExpirationMs,
        }),
      });
    } catch (err) {
      if (!isIoError(err)) throw err;
      this.markOffline(dir, err);
      throw new StorageError('KAFKA_STORAGE_ERROR', `could not load ${key}: ${err.message}`, { cause: err });
    }
  }

  /** Deletes a partition (topic deletion or reassignment away): closes it and removes its files. */
  async deleteLog(tp: TopicPartition): Promise<void> {
    const key = tpKey(tp);
    const e = this.entries.get(key);
    if (e === undefined) return;
    this.entries.delete(key);
    e.dir.partitionCount--;
    if (e.log !== null) await e.log.close();
    for (const m of [e.dir.recoveryPoints, e.dir.logStartOffsets, e.dir.highWatermarks, e.dir.cleanerOffsets])
      m.delete(key);
    const path = join(e.dir.path, key);
    // Rename first (Kafka's `-delete` suffix) so a crash mid-delete never leaves a half partition.
    const doomed = `${path}.${this.clock.nowMs().toString(36)}-delete`;
    fs.renameSync(path, doomed);
    // Off the event loop: unlinking gigabytes takes the kernel a while (~0.1 s per GB).
    await fs.promises.rm(doomed, { recursive: true, force: true });
  }

  /**
   * A follower's truncation (Kafka's LogManager.truncateTo): cuts the log at `offset` (or, below
   * its start, empties it and starts it there), then writes the dir's recovery-point checkpoint at
   * once. Without that, a checkpoint from before the truncation could name offsets past it as
   * flushed, and after a crash the batches the follower appended there next would not be checked
   * again. The cleaner's checkpoint is pulled back too (Kafka's maybeTruncateCheckpoint). Returns
   * whether anything was removed.
   */
  async truncateTo(tp: TopicPartition, offset: number): Promise<boolean> {
    await this.settleBackgroundCheckpoint();
    const log = this.getLog(tp);
    if (log === null) return false;
    if (offset >= log.logEndOffset) {
      log.truncateTo(offset); // only drops empty epochs at the log end
      return false;
    }
    log.truncateTo(offset);
    this.afterTruncation(tp, offset);
    return true;
  }

  /** Empties the partition's log and starts it at `offset` (a follower far behind the leader's log start). */
  async truncateFullyAndStartAt(tp: TopicPartition, offset: number): Promise<void> {
    await this.settleBackgroundCheckpoint();
    const log = this.getLog(tp);
    if (log === null) return;
    log.truncateFullyAndStartAt(offset);
    this.afterTruncation(tp, offset);
  }

  /**
   * A background checkpoint took its offsets before it started writing; renamed into place after
   * a truncation's own checkpoint it would bring back a recovery point past the truncation. So a
   * truncation waits for it, and then truncates and checkpoints in one synchronous step.
   */
  private async settleBackgroundCheckpoint(): Promise<void> {
    while (this.backgroundCheckpoint !== null) await this.backgroundCheckpoint.catch(() => {});
  }

  private afterTruncation(tp: TopicPartition, offset: number): void {
    const key = tpKey(tp);
    const e = this.entries.get(key)!;
    const cleaner = e.dir.cleanerOffsets.get(key);
    if (cleaner !== undefined && cleaner.offset > offset) e.dir.cleanerOffsets.set(key, { tp, offset });
    this.snapshotOffsets(e.dir);
    try {
      writeOffsetCheckpoint(join(e.dir.path, RECOVERY_POINT_CHECKPOINT), e.dir.recoveryPoints);
      writeOffsetCheckpoint(join(e.dir.path, LOG_START_OFFSET_CHECKPOINT), e.dir.logStartOffsets);
    } catch (err) {
      if (!isIoError(err)) throw err;
      this.markOffline(e.dir, err);
      throw new StorageError('KAFKA_STORAGE_ERROR', `could not checkpoint ${e.dir.path}: ${err.message}`, {
        cause: err,
      });
    }
  }

  /** Applies changed topic configs to loaded partitions. */
  updateTopicConfig(topic: string): void {
    const config = this.configFor(topic);
    for (const e of this.entries.values())
      if (e.tp.topic === topic && e.log !== null) e.log.updateConfig(config);
  }

  /** @internal Cleaner checkpoints: the first dirty offset per partition. */
  cleanerOffset(tp: TopicPartition): number {
    const e = this.entries.get(tpKey(tp));
    return e?.dir.cleanerOffsets.get(tpKey(tp))?.offset ?? 0;
  }

  /** @internal */
  setCleanerOffset(tp: TopicPartition, offset: number): void {
    const e = this.entries.get(tpKey(tp));
    e?.dir.cleanerOffsets.set(tpKey(tp), { tp, offset });
  }

  /** Loaded, usable logs. */
  loadedLogs(): PartitionLog[] {
    const out: PartitionLog[] = [];
    for (const e of this.entries.values())
      if (e.log !== null && !e.dir.offline && !e.log.isClosed) out.push(e.log);
    return out;
  }

  /** Writes the four offset checkpoints of every online dir (atomically). */
  checkpoint(): void {
    for (const d of this.dirs) {
      if (d.offline) continue;
      this.snapshotOffsets(d);
      try {
        for (const [name, entries] of checkpointsOf(d)) writeOffsetCheckpoint(join(d.path, name), entries);
      } catch (e) {
        if (!isIoError(e)) throw e;
        this.markOffline(d, e);
      }
    }
  }

  /**
   * The periodic checkpoint: the same files, with their fsyncs off the event loop (several fsyncs
   * behind a disk busy writing back could otherwise stall every request for tens of milliseconds).
   * One at a time; shutdown waits for it before writing the final checkpoint.
   */
  checkpointInBackground(only: 'all' | 'highWatermarks' = 'all'): Promise<void> {
    this.backgroundCheckpoint ??= (async () => {
      for (const d of this.dirs) {
        if (d.offline) continue;
        this.snapshotOffsets(d);
        // Copies: the maps change while the writes wait for the disk.
        const files = checkpointsOf(d)
          .filter(([name]) => only === 'all' || name === REPLICATION_OFFSET_CHECKPOINT)
          .map(([name, entries]) => [name, new Map(entries)] as const);
        try {
          for (const [name, entries] of files) await writeOffsetCheckpointAsync(join(d.path, name), entries);
        } catch (e) {
          if (!isIoError(e)) throw e;
          this.markOffline(d, e);
        }
      }
    })().finally(() => {
      this.backgroundCheckpoint = null;
    });
    return this.backgroundCheckpoint;
  }

  private snapshotOffsets(d: LogDir): void {
    for (const e of this.entries.values()) {
      if (e.dir !== d || e.log === null) continue;
      const key = tpKey(e.tp);
      d.recoveryPoints.set(key, { tp: e.tp, offset: e.log.recoveryPoint });
      d.logStartOffsets.set(key, { tp: e.tp, offset: e.log.logStartOffset });
      d.highWatermarks.set(key, { tp: e.tp, offset: e.log.highWatermark });
    }
  }

  /** One pass of the periodic work: retention on every loaded log, and flush.ms. */
  runRetention(): number {
    let deleted = 0;
    for (const log of this.loadedLogs()) {
      try {
        deleted += log.deleteOldSegments();
      } catch (e) {
        if (!(e instanceof StorageError && e.code === 'KAFKA_STORAGE_ERROR')) throw e;
      }
    }
    return deleted;
  }

  /** Forgets idle producer ids in every loaded log (Kafka's removeExpiredProducers task). */
  runProducerExpiration(): number {
    let n = 0;
    for (const log of this.loadedLogs()) n += log.removeExpiredProducers();
    return n;
  }

  runFlushCheck(): void {
    for (const log of this.loadedLogs()) {
      try {
        log.maybeFlush();
      } catch (e) {
        if (!(e instanceof StorageError && e.code === 'KAFKA_STORAGE_ERROR')) throw e;
      }
    }
  }

  /** One cleaner pass over loaded compacted logs; returns how many were cleaned. */
  runCleaner(): Promise<number> {
    return this.cleaner.runOnce(this.loadedLogs());
  }

  /** Starts the background timers (retention, flush.ms, checkpoints). Tests call the run* methods instead. */
  startScheduler(): void {
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(() => {
        try {
          fn();
        } catch (e) {
          this.logger.error({ err: e }, 'background log task failed');
        }
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.retentionCheckIntervalMs ?? 300_000, () => this.runRetention());
    every(this.opts.flushCheckIntervalMs ?? 1000, () => this.runFlushCheck());
    every(this.opts.producerIdExpirationCheckIntervalMs ?? 600_000, () => this.runProducerExpiration());
    every(this.opts.checkpointIntervalMs ?? 60_000, () => {
      if (this.backgroundCheckpoint) return;
      this.checkpointInBackground().catch((e: unknown) =>
        this.logger.error({ err: e }, 'background checkpoint failed'),
      );
    });
    // Kafka's ReplicaManager.checkpointHighWatermarks: a restarted broker starts each partition's
    // high watermark from replication-offset-checkpoint, so it is written more often than the rest.
    every(this.opts.highWatermarkCheckpointIntervalMs ?? 5000, () => {
      if (this.backgroundCheckpoint) return;
      this.checkpointInBackground('highWatermarks').catch((e: unknown) =>
        this.logger.error({ err: e }, 'high watermark checkpoint failed'),
      );
    });
    every(this.opts.cleanerBackoffMs ?? 15_000, () => {
      this.runCleaner().catch((e: unknown) => this.logger.error({ err: e }, 'log cleaner failed'));
    });
    every(this.opts.offlineDirRetryIntervalMs ?? 10_000, () => {
      if (!this.dirs.some((d) => d.offline)) return;
      this.retryOfflineDirs().catch((e: unknown) =>
        this.logger.error({ err: e }, 'retrying offline log dirs failed'),
      );
    });
  }

  /**
   * Brings back each offline log dir that takes writes again (space was freed, the disk fixed): a
   * probe file is written, fsynced and removed, then the dir's logs are closed without flushing and
   * reopened from disk on next use with full recovery (as after an unclean stop, since what the
   * failed writes and fsyncs left cannot be trusted), so the partitions serve again without a
   * restart. Kafka keeps a failed dir offline until the broker restarts; a single-node broker has
   * no other replica to serve from, so it recovers the dir the way a restart would. Returns the
   * dirs brought back.
   */
  async retryOfflineDirs(): Promise<string[]> {
    const back: string[] = [];
    for (const d of this.dirs) {
      if (!d.offline || d.recovering || this.closed) continue;
      d.recovering = true;
      try {
        if (!(await writeProbe(d.path))) continue;
        const loaded = [...this.entries.values()].filter((e) => e.dir === d && e.log !== null);
        for (const e of loaded) {
          const log = e.log!;
          e.log = null;
          // Offline: close skips the flush and only closes the files.
          await log.close().catch((err: unknown) => {
            this.logger.warn({ err, logDir: d.path }, 'closing a log of an offline dir failed');
          });
        }
        d.hadCleanShutdown = false;
        d.offline = false;
        back.push(d.path);
        this.logger.warn(
          { logDir: d.path, partitions: loaded.length },
          'log dir takes writes again and is back online; its partitions are recovered from disk on next use',
        );
      } finally {
        d.recovering = false;
      }
    }
    return back;
  }

  /** Registers an extra periodic task (the cleaner uses this) stopped at shutdown. */
  addTimer(t: NodeJS.Timeout): void {
    this.timers.push(t);
  }

  /**
   * Clean shutdown: flush and close every log, write checkpoints, then leave the
   * `.kafka_cleanshutdown` marker so the next start skips recovery, and release the locks.
   */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    // Close in parallel, bounded, so thousands of partitions' fsyncs overlap in the thread pool.
    const open = [...this.entries.values()].filter((e) => e.log !== null && !e.dir.offline);
    const closeOne = async (e: Entry): Promise<void> => {
      try {
        await e.log!.close();
      } catch (err) {
        if (!isIoError(err)) throw err;
        this.markOffline(e.dir, err);
      }
    };
    for (let i = 0; i < open.length; i += 64) await Promise.all(open.slice(i, i + 64).map(closeOne));
    await this.backgroundCheckpoint;
    this.checkpoint();
    for (const d of this.dirs) {
      if (!d.offline) {
        try {
          writeFileAtomically(join(d.path, CLEAN_SHUTDOWN_FILE), '');
        } catch (err) {
          if (!isIoError(err)) throw err;
          this.markOffline(d, err);
        }
      }
      d.lock?.release();
    }
    this.logger.info({}, 'log manager shut down');
  }

  private markOffline(dir: LogDir, err: Error): void {
    if (dir.offline) return;
    dir.offline = true;
    this.logger.error(
      { logDir: dir.path, err },
      'log dir is offline after an I/O error; its partitions report KAFKA_STORAGE_ERROR until it takes writes again (free space or fix the disk; it is retried periodically) or the broker restarts',
    );
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError('LOG_CLOSED', 'log manager is shut down');
  }
}
