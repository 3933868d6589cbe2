import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { LogFields, Logger } from '../../src/common/logger.js';
import {
  formatOffsetCheckpoint,
  parseOffsetCheckpoint,
  readOffsetCheckpoint,
  tpKey,
} from '../../src/storage/checkpoint-file.js';
import { CLEAN_SHUTDOWN_FILE, LogManager, type LogManagerOptions } from '../../src/storage/log-manager.js';
import { StorageError } from '../../src/storage/storage-error.js';
import { buildBatch, simpleBatch } from './batch-builder.js';
import { readAll, tempDir } from './helpers.js';

const TP = { topic: 'orders', partition: 3 };

function open(dirs: string[], extra: Partial<LogManagerOptions> = {}): LogManager {
  return LogManager.open({ logDirs: dirs, clusterId: 'c1', nodeId: 1, ...extra });
}

function recordingLogger(lines: Array<{ level: string; msg: string; fields: LogFields }>): Logger {
  const make = (bound: LogFields): Logger => ({
    debug: (f, m) => lines.push({ level: 'debug', msg: m, fields: { ...bound, ...f } }),
    info: (f, m) => lines.push({ level: 'info', msg: m, fields: { ...bound, ...f } }),
    warn: (f, m) => lines.push({ level: 'warn', msg: m, fields: { ...bound, ...f } }),
    error: (f, m) => lines.push({ level: 'error', msg: m, fields: { ...bound, ...f } }),
    child: (f) => make({ ...bound, ...f }),
  });
  return make({});
}

describe('LogManager', () => {
  it('refuses a log dir locked by a live process, and takes over a stale lock', async () => {
    const dir = tempDir();
    const m = open([dir]);
    assert.throws(
      () => open([dir]),
      (e: unknown) => e instanceof StorageError && e.code === 'LOG_DIR_LOCKED',
    );
    await m.shutdown();
    // A lock left by a process that no longer exists is stale.
    fs.writeFileSync(join(dir, '.lock'), '999999999\n');
    const again = open([dir]);
    await again.shutdown();
    // A lock held by another live process (our parent) is respected.
    fs.writeFileSync(join(dir, '.lock'), `${process.ppid}\n`);
    assert.throws(() => open([dir]), { code: 'LOG_DIR_LOCKED' });
    fs.rmSync(join(dir, '.lock'));
  });

  it('writes meta.properties and refuses another cluster.id or node.id', async () => {
    const dir = tempDir();
    await open([dir]).shutdown();
    const text = fs.readFileSync(join(dir, 'meta.properties'), 'utf8');
    assert.match(text, /cluster\.id=c1/);
    assert.match(text, /node\.id=1/);
    assert.throws(
      () => LogManager.open({ logDirs: [dir], clusterId: 'other', nodeId: 1 }),
      (e: unknown) => e instanceof StorageError && e.code === 'INCONSISTENT_META_PROPERTIES',
    );
    assert.throws(() => LogManager.open({ logDirs: [dir], clusterId: 'c1', nodeId: 2 }), {
      code: 'INCONSISTENT_META_PROPERTIES',
    });
    // The refused start released its lock.
    await open([dir]).shutdown();
  });

  it('round-trips checkpoints and leaves a clean-shutdown marker', async () => {
    const dir = tempDir();
    const m = open([dir]);
    const log = m.getOrCreateLog(TP);
    for (let i = 0; i < 5; i++) await log.append(simpleBatch(2));
    log.setHighWatermark(6);
    await m.shutdown();
    assert.ok(fs.existsSync(join(dir, CLEAN_SHUTDOWN_FILE)));
    assert.equal(
      readOffsetCheckpoint(join(dir, 'recovery-point-offset-checkpoint')).get(tpKey(TP))?.offset,
      10,
    );
    assert.equal(readOffsetCheckpoint(join(dir, 'replication-offset-checkpoint')).get(tpKey(TP))?.offset, 6);
    assert.equal(readOffsetCheckpoint(join(dir, 'log-start-offset-checkpoint')).get(tpKey(TP))?.offset, 0);
    assert.equal(fs.readFileSync(join(dir, 'replication-offset-checkpoint'), 'utf8'), '0\n1\norders 3 6\n');

    const again = open([dir]);
    assert.ok(!fs.existsSync(join(dir, CLEAN_SHUTDOWN_FILE)), 'the marker is consumed at start-up');
    assert.deepEqual(again.partitions(), [TP]);
    const reopened = again.getLog(TP)!;
    assert.equal(reopened.logEndOffset, 10);
    assert.equal(reopened.highWatermark, 6);
    assert.equal(readAll(reopened).length, 5);
    // Partitions never loaded keep their checkpointed offsets.
    await again.shutdown();
    const third = open([dir]);
    await third.shutdown();
    assert.equal(readOffsetCheckpoint(join(dir, 'replication-offset-checkpoint')).get(tpKey(TP))?.offset, 6);
  });

  it('writes the periodic checkpoint off the event loop, one at a time, before shutdown', async () => {
    const dir = tempDir();
    const m = open([dir]);
    const log = m.getOrCreateLog(TP);
    for (let i = 0; i < 3; i++) await log.append(simpleBatch(2));
    log.setHighWatermark(4);
    const first = m.checkpointInBackground();
    assert.equal(m.checkpointInBackground(), first, 'a second call joins the running one');
    await first;
    assert.equal(readOffsetCheckpoint(join(dir, 'replication-offset-checkpoint')).get(tpKey(TP))?.offset, 4);
    assert.ok(!fs.existsSync(join(dir, 'replication-offset-checkpoint.tmp')));
    log.setHighWatermark(6);
    // Shutdown waits for a checkpoint in flight, then writes the final one.
    void m.checkpointInBackground();
    await m.shutdown();
    assert.equal(readOffsetCheckpoint(join(dir, 'replication-offset-checkpoint')).get(tpKey(TP))?.offset, 6);
  });

  it('parses and formats the checkpoint text format and rejects malformed files', () => {
    const text = '0\n2\nmy-topic 0 15\nother 12 7\n';
    const parsed = parseOffsetCheckpoint(text, 'x');
    assert.equal(parsed.get('my-topic-0')?.offset, 15);
    assert.equal(formatOffsetCheckpoint(parsed), text);
    for (const bad of ['1\n0\n', '0\n2\na 0 1\n', '0\n1\na b c\n', '0\n1\na 0\n']) {
      assert.throws(() => parseOffsetCheckpoint(bad, 'x'), { code: 'CORRUPT_CHECKPOINT' });
    }
  });

  it('places new partitions in the least loaded dir and loads partitions lazily', async () => {
    const a = tempDir();
    const b = tempDir();
    const m = open([a, b]);
    for (let p = 0; p < 4; p++) m.getOrCreateLog({ topic: 't', partition: p });
    assert.equal(fs.readdirSync(a).filter((n) => n.startsWith('t-')).length, 2);
    assert.equal(fs.readdirSync(b).filter((n) => n.startsWith('t-')).length, 2);
    await m.shutdown();
    const again = open([a, b]);
    assert.equal(again.partitions().length, 4);
    assert.equal(again.loadedLogs().length, 0);
    again.getLog({ topic: 't', partition: 1 });
    assert.equal(again.loadedLogs().length, 1);
    await again.shutdown();
  });

  it('takes a log dir offline on ENOSPC, logs once, and keeps the other dir serving', async () => {
    const a = tempDir();
    const b = tempDir();
    const first = open([a, b]);
    const doomed = first.getOrCreateLog({ topic: 'full', partition: 0 });
    const fine = first.getOrCreateLog({ topic: 'fine', partition: 0 });
    const doomedPath = doomed.activeSegment.log.path;
    assert.ok(doomedPath.startsWith(a));
    assert.ok(fine.activeSegment.log.path.startsWith(b));
    await first.shutdown();
    // A segment that refuses every write with ENOSPC, as a full disk does.
    fs.rmSync(doomedPath);
    fs.symlinkSync('/dev/full', doomedPath);

    const lines: Array<{ level: string; msg: string; fields: LogFields }> = [];
    const m = open([a, b], { logger: recordingLogger(lines) });
    const log = m.getLog({ topic: 'full', partition: 0 })!;
    await assert.rejects(log.append(simpleBatch(1)), { code: 'KAFKA_STORAGE_ERROR' });
    await assert.rejects(log.append(simpleBatch(1)), { code: 'KAFKA_STORAGE_ERROR' });
    assert.throws(() => log.read({ fetchOffset: 0, maxBytes: 10 }), { code: 'KAFKA_STORAGE_ERROR' });
    assert.throws(() => m.getLog({ topic: 'full', partition: 0 }), { code: 'KAFKA_STORAGE_ERROR' });
    assert.deepEqual(
      m.logDirs().map((d) => d.online),
      [false, true],
    );
    assert.equal(lines.filter((l) => l.level === 'error').length, 1);
    const other = m.getLog({ topic: 'fine', partition: 0 })!;
    assert.equal((await other.append(simpleBatch(1))).baseOffset, 0);
    await m.shutdown();
    assert.ok(!fs.existsSync(join(a, CLEAN_SHUTDOWN_FILE)), 'no clean marker on an offline dir');
    assert.ok(fs.existsSync(join(b, CLEAN_SHUTDOWN_FILE)));
  });

  it('brings an offline log dir back once it takes writes again, its logs recovered from disk', async () => {
    const dir = tempDir();
    const m = open([dir]);
    const log = m.getOrCreateLog(TP);
    assert.equal((await log.append(simpleBatch(3))).baseOffset, 0);
    // The disk fills up: the active segment refuses every write with ENOSPC.
    const path = log.activeSegment.log.path;
    const kept = fs.readFileSync(path);
    log.activeSegment.log.close();
    fs.rmSync(path);
    fs.symlinkSync('/dev/full', path);
    await assert.rejects(log.append(simpleBatch(2)), { code: 'KAFKA_STORAGE_ERROR' });
    assert.throws(() => m.getLog(TP), /free space or fix the disk/);

    // Still full: the dir stays offline.
    const blocked = join(dir, '.write-probe');
    fs.symlinkSync('/dev/full', blocked);
    assert.deepEqual(await m.retryOfflineDirs(), []);
    assert.equal(m.logDirs()[0]!.online, false);
    fs.rmSync(blocked, { force: true });

    // Space is freed.
    fs.rmSync(path);
    fs.writeFileSync(path, kept);
    assert.deepEqual(await m.retryOfflineDirs(), [dir]);
    assert.equal(m.logDirs()[0]!.online, true);
    assert.ok(log.isClosed, 'the old log was closed');
    const reopened = m.getLog(TP)!;
    assert.equal(reopened.logEndOffset, 3);
    assert.equal((await reopened.append(simpleBatch(2))).baseOffset, 3);
    assert.equal(readAll(reopened).length, 2);
    await m.shutdown();
    assert.ok(fs.existsSync(join(dir, CLEAN_SHUTDOWN_FILE)));
  });
});

describe('LogManager topic names', () => {
  it('refuses names that are not valid topic names (and so could escape the log dir)', async () => {
    const m = open([tempDir()]);
    for (const topic of ['..', '../escape', 'a/b', '', 'x'.repeat(250)]) {
      assert.throws(() => m.getOrCreateLog({ topic, partition: 0 }), { code: 'INVALID_TOPIC' });
    }
    assert.ok(m.getOrCreateLog({ topic: 'ok.name_with-dashes', partition: 0 }));
    await m.shutdown();
  });
});

describe('LogManager cleaner scheduling', () => {
  it('cleans compacted topics (per-topic config) and checkpoints where it stopped', async () => {
    const dir = tempDir();
    const m = open([dir], {
      defaultConfig: { fileDeleteDelayMs: 0, minCleanableDirtyRatio: 0.1 },
      topicConfig: (topic) => (topic === 'compacted' ? { cleanupPolicy: 'compact', segmentBytes: 500 } : {}),
    });
    const compacted = m.getOrCreateLog({ topic: 'compacted', partition: 0 });
    const plain = m.getOrCreateLog({ topic: 'plain', partition: 0 });
    for (let i = 0; i < 20; i++) {
      await compacted.append(buildBatch([{ key: 'k', value: `v${i}` }]));
      await plain.append(buildBatch([{ key: 'k', value: `v${i}` }]));
    }
    compacted.roll();
    compacted.setHighWatermark(compacted.logEndOffset);
    plain.setHighWatermark(plain.logEndOffset);
    assert.equal(await m.runCleaner(), 1);
    assert.equal(readAll(compacted).length, 1);
    assert.equal(readAll(plain).length, 20);
    await m.shutdown();
    const cp = readOffsetCheckpoint(join(dir, 'cleaner-offset-checkpoint'));
    assert.equal(cp.get('compacted-0')?.offset, 20);
    assert.equal(cp.get('plain-0'), undefined);
  });
});

describe('LogManager deletion', () => {
  it('deletes a partition, and finishes a deletion interrupted by a crash at the next start', async () => {
    const dir = tempDir();
    const m = open([dir]);
    const log = m.getOrCreateLog(TP);
    await log.append(simpleBatch(1));
    await m.deleteLog(TP);
    assert.equal(m.getLog(TP), null);
    assert.deepEqual(
      fs.readdirSync(dir).filter((n) => n.startsWith('orders')),
      [],
    );
    await m.shutdown();
    fs.mkdirSync(join(dir, 'orders-3.abc-delete'));
    fs.writeFileSync(join(dir, 'orders-3.abc-delete', '00000000000000000000.log'), 'x');
    const again = open([dir]);
    assert.deepEqual(again.partitions(), []);
    assert.ok(!fs.existsSync(join(dir, 'orders-3.abc-delete')));
    await again.shutdown();
  });
});
