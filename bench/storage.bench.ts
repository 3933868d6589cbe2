// Storage benchmark: raw file writes beside log appends in both durability modes, random and
// sequential reads, recovery after an unclean stop, and start-up with 10,000 partitions.
// `npm run bench:storage` (add `-- --full` for a 2 GiB recovery log). Prints figures, asserts nothing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32c } from '../src/protocol/primitives/crc32c.js';
import { Writer } from '../src/protocol/primitives/writer.js';
import { BatchOffsets, computeBatchCrc } from '../src/protocol/records/record-batch-header.js';
import { FileHandleCache } from '../src/storage/file-handle-cache.js';
import { makeLogConfig } from '../src/storage/log-config.js';
import { LogManager } from '../src/storage/log-manager.js';
import { PartitionLog } from '../src/storage/partition-log.js';

const MiB = 1024 * 1024;
const full = process.argv.includes('--full');

/** A 16 KiB batch of 16 records of 1 KiB, as a producer sends it. */
function batch16k(seed: number): Buffer {
  const body = new Writer(20_000);
  for (let i = 0; i < 16; i++) {
    const rec = new Writer(1100);
    rec.writeInt8(0).writeVarint(0).writeVarint(i);
    const key = Buffer.from(`key-${seed}-${i}`);
    rec.writeVarint(key.length).writeRaw(key);
    const value = Buffer.alloc(1000, (seed + i) & 0xff);
    rec.writeVarint(value.length).writeRaw(value).writeVarint(0);
    const r = rec.toBuffer();
    body.writeVarint(r.length).writeRaw(r);
  }
  const records = body.toBuffer();
  const b = Buffer.alloc(61 + records.length);
  b.writeInt32BE(b.length - 12, BatchOffsets.batchLength);
  b.writeInt32BE(-1, BatchOffsets.partitionLeaderEpoch);
  b.writeInt8(2, BatchOffsets.magic);
  b.writeInt32BE(15, BatchOffsets.lastOffsetDelta);
  b.writeBigInt64BE(BigInt(Date.now()), BatchOffsets.baseTimestamp);
  b.writeBigInt64BE(BigInt(Date.now()), BatchOffsets.maxTimestamp);
  b.writeBigInt64BE(-1n, BatchOffsets.producerId);
  b.writeInt16BE(-1, BatchOffsets.producerEpoch);
  b.writeInt32BE(-1, BatchOffsets.baseSequence);
  b.writeInt32BE(16, BatchOffsets.recordCount);
  records.copy(b, 61);
  b.writeUInt32BE(computeBatchCrc(b), BatchOffsets.crc);
  return b;
}

const pool = Array.from({ length: 64 }, (_, i) => batch16k(i));
const batchBytes = pool[0]!.length;

function mbps(bytes: number, ms: number): number {
  return bytes / MiB / (ms / 1000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function spread(xs: number[]): string {
  return `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
}

/** Writes the batches with plain fs calls; `withCrc` also computes each batch's CRC32C first. */
function rawWrite(dir: string, totalBytes: number, fsyncEveryBytes: number | null, withCrc = false): number {
  const path = join(dir, `raw-${Math.random().toString(36).slice(2)}`);
  const fd = fs.openSync(path, 'w');
  const t0 = performance.now();
  let written = 0;
  let sinceSync = 0;
  for (let i = 0; written < totalBytes; i++) {
    const b = pool[i % pool.length]!;
    if (withCrc) computeBatchCrc(b);
    fs.writeSync(fd, b, 0, b.length, written);
    written += b.length;
    sinceSync += b.length;
    if (fsyncEveryBytes !== null && sinceSync >= fsyncEveryBytes) {
      fs.fdatasyncSync(fd);
      sinceSync = 0;
    }
  }
  if (fsyncEveryBytes !== null) fs.fdatasyncSync(fd);
  const ms = performance.now() - t0;
  fs.closeSync(fd);
  fs.rmSync(path);
  return mbps(written, ms);
}

let lastBytesPerSync = 0;
/**
 * Concurrent appenders in the default mode, as a broker has (connections, partitions of a
 * request): append coalesces the writes of one event-loop turn. The fsync mode uses more, as
 * group commit needs.
 */
const PRODUCERS = 16;

async function logAppend(
  dir: string,
  totalBytes: number,
  mode: 'default' | 'fsync',
  concurrency: number,
): Promise<number> {
  const pdir = join(dir, `log-${mode}-${Math.random().toString(36).slice(2)}`);
  const log = PartitionLog.open({
    dir: pdir,
    topicPartition: { topic: 'bench', partition: 0 },
    config: makeLogConfig({
      durability: mode,
      segmentBytes: 256 * MiB,
      messageTimestampAfterMaxMs: Infinity,
    }),
    cache: new FileHandleCache(64),
  });
  const count = Math.ceil(totalBytes / batchBytes);
  let next = 0;
  const t0 = performance.now();
  if (concurrency === 0) {
    // appendSync: one batch at a time, written before the call returns.
    const own = pool[0]!;
    for (; next < count; next++) {
      own.writeBigInt64BE(0n, 0);
      log.appendSync(own);
    }
  } else {
    const producer = async (p: number) => {
      // Each append patches its batch's base offset in place, so every producer owns one buffer,
      // and resets the base offset to 0 as a producer sends it.
      const own = pool[p % pool.length]!;
      while (next < count) {
        next++;
        own.writeBigInt64BE(0n, 0);
        await log.append(own);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, p) => producer(p)));
  }
  const ms = performance.now() - t0;
  const syncs = log.groupCommitSyncs;
  await log.close();
  fs.rmSync(pdir, { recursive: true, force: true });
  if (mode === 'fsync') lastBytesPerSync = (count * batchBytes) / syncs;
  return mbps(count * batchBytes, ms);
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(join(tmpdir(), 'strom-bench-storage-'));
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, dir ${root}`);
  console.log(`batch: ${batchBytes} bytes (16 records of 1 KiB)`);
  try {
    const size = 256 * MiB;
    const rounds = 5;
    // Warm-up, then alternate baseline and ours so drift affects both.
    rawWrite(root, 32 * MiB, null);
    await logAppend(root, 32 * MiB, 'default', PRODUCERS);
    const raw: number[] = [];
    const rawCrc: number[] = [];
    const ours: number[] = [];
    const oursSerial: number[] = [];
    for (let r = 0; r < rounds; r++) {
      raw.push(rawWrite(root, size, null));
      rawCrc.push(rawWrite(root, size, null, true));
      ours.push(await logAppend(root, size, 'default', PRODUCERS));
      oursSerial.push(await logAppend(root, size, 'default', 0));
    }
    const vs = (xs: number[]) =>
      `ratio ${(median(xs) / median(raw)).toFixed(2)} to raw, ${(median(xs) / median(rawCrc)).toFixed(2)} to raw + CRC`;
    console.log('\n(a/b) sequential write, buffered (Kafka default durability), MB/s over 256 MiB');
    console.log(`  raw fs.writeSync                      median ${median(raw).toFixed(0)} (${spread(raw)})`);
    console.log(
      `  raw + CRC32C check                    median ${median(rawCrc).toFixed(0)} (${spread(rawCrc)})`,
    );
    console.log(
      `  append, ${PRODUCERS} producers (the broker's path)  median ${median(ours).toFixed(0)} (${spread(ours)})  ${vs(ours)}`,
    );
    console.log(
      `  appendSync, one batch at a time       median ${median(oursSerial).toFixed(0)} (${spread(oursSerial)})  ${vs(oursSerial)}`,
    );

    const syncSize = 64 * MiB;
    const rawSync: number[] = [];
    const oursSync: number[] = [];
    for (let r = 0; r < rounds; r++) {
      rawSync.push(rawWrite(root, syncSize, MiB));
      oursSync.push(await logAppend(root, syncSize, 'fsync', 128));
    }
    console.log('\n(a/b) sequential write with fsync, MB/s over 64 MiB');
    console.log(
      `  raw, fdatasync per 1 MiB               median ${median(rawSync).toFixed(0)} (${spread(rawSync)})`,
    );
    console.log(
      `  append, fsync mode, 128 producers      median ${median(oursSync).toFixed(0)} (${spread(oursSync)})  ratio ${(median(oursSync) / median(rawSync)).toFixed(2)}`,
    );
    console.log(`  (group commit: ${(lastBytesPerSync / MiB).toFixed(2)} MiB acknowledged per fsync)`);

    await readsAndRecovery(root, full ? 2048 * MiB : 256 * MiB);
    await startup(root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function readsAndRecovery(root: string, size: number): Promise<void> {
  const dir = join(root, 'big-0');
  const cache = new FileHandleCache(64);
  const config = makeLogConfig({ segmentBytes: 256 * MiB, messageTimestampAfterMaxMs: Infinity });
  const log = PartitionLog.open({ dir, topicPartition: { topic: 'big', partition: 0 }, config, cache });
  const count = Math.ceil(size / batchBytes);
  for (let i = 0; i < count; i++) {
    const b = pool[i % pool.length]!;
    b.writeBigInt64BE(0n, 0);
    log.appendSync(b);
  }
  const leo = log.logEndOffset;

  // Random reads by offset: locate + read the bytes of up to 64 KiB.
  const lat: number[] = [];
  let x = 12345;
  for (let i = 0; i < 20_000; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    const off = x % leo;
    const t0 = performance.now();
    const r = log.read({ fetchOffset: off, maxBytes: 64 * 1024 });
    r.slices[0]!.readSync();
    lat.push((performance.now() - t0) * 1000);
  }
  lat.sort((a, b) => a - b);
  console.log(
    `\nrandom reads by offset (64 KiB, ${(size / MiB).toFixed(0)} MiB log, page cache warm), 20,000 reads`,
  );
  console.log(
    `  p50 ${lat[Math.floor(lat.length * 0.5)]!.toFixed(1)} µs, p99 ${lat[Math.floor(lat.length * 0.99)]!.toFixed(1)} µs`,
  );

  // Sequential read: the log through 1 MiB fetches, beside a raw read of the same files.
  let t0 = performance.now();
  let bytes = 0;
  const target = Buffer.allocUnsafe(MiB);
  for (let next = 0; next < leo; ) {
    const r = log.read({ fetchOffset: next, maxBytes: MiB });
    const s = r.slices[0]!;
    const buf = target.subarray(0, s.readInto(target));
    bytes += buf.length;
    // Continue after the last whole batch in the slice.
    let at = 0;
    while (at + 61 <= buf.length) {
      const len = buf.readInt32BE(at + 8) + 12;
      if (at + len > buf.length) break;
      next = Number(buf.readBigInt64BE(at)) + buf.readInt32BE(at + 23) + 1;
      at += len;
    }
  }
  const seqMs = performance.now() - t0;
  t0 = performance.now();
  let rawBytes = 0;
  for (const seg of log.segments) {
    const fd = fs.openSync(seg.log.path, 'r');
    const buf = Buffer.allocUnsafe(MiB);
    for (let pos = 0; ; ) {
      const n = fs.readSync(fd, buf, 0, MiB, pos);
      if (n === 0) break;
      pos += n;
      rawBytes += n;
    }
    fs.closeSync(fd);
  }
  const rawMs = performance.now() - t0;
  console.log('\nsequential read, MB/s (page cache warm)');
  console.log(`  raw fs.readSync 1 MiB   ${mbps(rawBytes, rawMs).toFixed(0)}`);
  console.log(
    `  PartitionLog.read 1 MiB ${mbps(bytes, seqMs).toFixed(0)}  ratio ${(mbps(bytes, seqMs) / mbps(rawBytes, rawMs)).toFixed(2)}`,
  );
  // Unclean stop: no close, no checkpoint. Drop the index files too, as after a crash mid-write.
  const paths = log.segments.map((s) => s.log.path);
  t0 = performance.now();
  for (const p of paths) crc32c(fs.readFileSync(p));
  const baseMs = performance.now() - t0;
  t0 = performance.now();
  const again = PartitionLog.open({
    dir,
    topicPartition: { topic: 'big', partition: 0 },
    config,
    cache: new FileHandleCache(64),
    recoveryPoint: 0,
    hadCleanShutdown: false,
  });
  const recMs = performance.now() - t0;
  console.log(
    `\nrecovery after an unclean stop, ${(size / MiB).toFixed(0)} MiB log (CRC of every batch, indexes rebuilt)`,
  );
  console.log(`  baseline read + CRC32C of the files  ${baseMs.toFixed(0)} ms`);
  console.log(
    `  PartitionLog.open (recovery)         ${recMs.toFixed(0)} ms  (log end offset ${again.logEndOffset} = ${leo})`,
  );
  await again.close();
}

/** Start-up with 10,000 partitions after a clean shutdown, measured in a fresh process. */
async function startup(root: string): Promise<void> {
  const dir = join(root, 'many');
  const n = 10_000;
  let t0 = performance.now();
  const m = LogManager.open({
    logDirs: [dir],
    clusterId: 'bench',
    nodeId: 1,
    defaultConfig: { messageTimestampAfterMaxMs: Infinity },
  });
  const b = pool[0]!;
  for (let p = 0; p < n; p++) {
    b.writeBigInt64BE(0n, 0);
    m.getOrCreateLog({ topic: 'many', partition: p }).appendSync(b);
  }
  const createMs = performance.now() - t0;
  t0 = performance.now();
  await m.shutdown();
  const shutdownMs = performance.now() - t0;
  const child = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--startup-child', dir, String(n)],
    { encoding: 'utf8' },
  );
  console.log(`\nstart-up with ${n} partitions (one batch each) after a clean shutdown`);
  console.log(
    `  creating them took ${createMs.toFixed(0)} ms, clean shutdown (flush + checkpoints) ${shutdownMs.toFixed(0)} ms`,
  );
  console.log(
    child.stdout
      .trim()
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  );
  if (child.status !== 0) console.log(child.stderr);
}

async function startupChild(dir: string, n: number): Promise<void> {
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const m = LogManager.open({ logDirs: [dir], clusterId: 'bench', nodeId: 1 });
  const openMs = performance.now() - t0;
  let leoSum = 0;
  for (const tp of m.partitions()) leoSum += m.getLog(tp)!.logEndOffset;
  const loadMs = performance.now() - t0;
  global.gc?.();
  const rss = process.memoryUsage().rss;
  console.log(`LogManager.open (list ${m.partitions().length} partitions): ${openMs.toFixed(0)} ms`);
  console.log(
    `open + load every partition (log end offsets summed: ${leoSum}, expected ${n * 16}): ${loadMs.toFixed(0)} ms`,
  );
  console.log(
    `RSS ${(rss / MiB).toFixed(0)} MiB (process baseline ${(rss0 / MiB).toFixed(0)} MiB), open files ${m.cache.openCount}`,
  );
  await m.shutdown();
}

if (process.argv[2] === '--startup-child') {
  await startupChild(process.argv[3]!, Number(process.argv[4]));
} else {
  await main();
}
