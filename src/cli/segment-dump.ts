import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { decodeControlRecordKey, decodeEndTxnMarker } from '../protocol/records/control-record.js';
import {
  decodeRecordBatch,
  type RecordBatch,
  recordOffset,
  recordTimestamp,
} from '../protocol/records/record-batch.js';
import {
  BATCH_HEADER_BYTES,
  computeBatchCrc,
  LOG_OVERHEAD,
  readBatchHeader,
} from '../protocol/records/record-batch-header.js';
import { decodeProducerSnapshot } from '../storage/producer-state/producer-snapshot-file.js';
import { ABORTED_TXN_BYTES, decodeAbortedTxns } from '../storage/transaction-index.js';

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export interface DumpOptions {
  /** Print each record (kafka-dump-log.sh --deep-iteration). */
  deepIteration: boolean;
  /** Print keys and values too (--print-data-log, which implies --deep-iteration). */
  printDataLog: boolean;
  /** One JSON object per line (with a `type` field) instead of Kafka's text. */
  json?: boolean;
}

/** Numbers as JSON numbers where they fit exactly, else as strings. */
function jsonLine(type: string, fields: Record<string, unknown>): string {
  return JSON.stringify({ type, ...fields }, (_k, v: unknown) =>
    typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v,
  );
}

/** Reads `length` bytes at `position`, fewer at the end of the file. */
function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/** Each batch of a log segment, read one at a time so a 1 GiB segment is never all in memory. */
export function* segmentBatches(
  path: string,
): Generator<{ position: number; batch: Buffer } | { invalidBytes: number }> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let position = 0;
    while (position < size) {
      const head = readAt(fd, position, LOG_OVERHEAD);
      const length = head.length === LOG_OVERHEAD ? head.readInt32BE(8) : -1;
      if (length < BATCH_HEADER_BYTES - LOG_OVERHEAD || position + LOG_OVERHEAD + length > size) {
        yield { invalidBytes: size - position };
        return;
      }
      yield { position, batch: readAt(fd, position, LOG_OVERHEAD + length) };
      position += LOG_OVERHEAD + length;
    }
  } finally {
    closeSync(fd);
  }
}

function segmentBaseOffset(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return String(BigInt(name.slice(0, name.indexOf('.')) || '0'));
}

/** A `.log` segment as kafka-dump-log.sh prints it: one line per batch, `| ` lines per record. */
export function* dumpLogSegment(path: string, options: DumpOptions): Generator<string> {
  const json = options.json === true;
  const start = segmentBaseOffset(path);
  yield json ? jsonLine('logStartOffset', { offset: BigInt(start) }) : `Log starting offset: ${start}`;
  for (const item of segmentBatches(path)) {
    if ('invalidBytes' in item) {
      yield json
        ? jsonLine('invalidBytes', { bytes: item.invalidBytes })
        : `Found ${item.invalidBytes} invalid bytes at the end of ${path.slice(path.lastIndexOf('/') + 1)}`;
      return;
    }
    const { position, batch } = item;
    const h = readBatchHeader(batch);
    if (h.magic !== 2) {
      yield json
        ? jsonLine('legacyMessageSet', { position, size: batch.length, magic: h.magic })
        : `position: ${position} size: ${batch.length} magic: ${h.magic} (legacy message set; not decoded)`;
      continue;
    }
    const valid = computeBatchCrc(batch) === h.crc;
    let decoded: RecordBatch | null = null;
    let error: string | null = null;
    try {
      decoded = decodeRecordBatch(batch);
    } catch (err) {
      error = (err as Error).message;
    }
    const attrs = h.attributes;
    const transactional = (attrs & 0x10) !== 0;
    const control = (attrs & 0x20) !== 0;
    const timestampType = (attrs & 0x08) !== 0 ? 'LogAppendTime' : 'CreateTime';
    // With the delete-horizon bit set, the base timestamp holds the horizon (KIP-534).
    const horizon = (attrs & 0x40) !== 0 ? `OptionalLong[${h.baseTimestamp}]` : 'OptionalLong.empty';
    const lastSequence = h.baseSequence < 0 ? -1 : (h.baseSequence + h.lastOffsetDelta) % 2 ** 31;
    if (json) {
      yield jsonLine('batch', {
        baseOffset: h.baseOffset,
        lastOffset: h.baseOffset + BigInt(h.lastOffsetDelta),
        count: h.recordCount,
        baseSequence: h.baseSequence,
        lastSequence,
        producerId: h.producerId,
        producerEpoch: h.producerEpoch,
        partitionLeaderEpoch: h.partitionLeaderEpoch,
        isTransactional: transactional,
        isControl: control,
        deleteHorizonMs: (attrs & 0x40) !== 0 ? h.baseTimestamp : null,
        position,
        timestampType,
        maxTimestamp: h.maxTimestamp,
        size: batch.length,
        magic: h.magic,
        compresscodec: CODECS[attrs & 0x07] ?? 'unknown',
        crc: h.crc,
        isvalid: valid,
        ...(error === null ? {} : { error }),
      });
    } else
      yield `baseOffset: ${h.baseOffset} lastOffset: ${h.baseOffset + BigInt(h.lastOffsetDelta)} count: ${h.recordCount} baseSequence: ${h.baseSequence} lastSequence: ${lastSequence} producerId: ${h.producerId} producerEpoch: ${h.producerEpoch} partitionLeaderEpoch: ${h.partitionLeaderEpoch} isTransactional: ${transactional} isControl: ${control} deleteHorizonMs: ${horizon} position: ${position} ${timestampType}: ${h.maxTimestamp} size: ${batch.length} magic: ${h.magic} compresscodec: ${CODECS[attrs & 0x07] ?? 'unknown'} crc: ${h.crc} isvalid: ${valid}`;
    if (error !== null) {
      if (!json) yield `| records could not be decoded: ${error}`;
      continue;
    }
    if (!options.deepIteration && !options.printDataLog) continue;
    for (const r of decoded!.records) {
      const sequence = h.baseSequence < 0 ? -1 : (h.baseSequence + r.offsetDelta) % 2 ** 31;
      if (json) {
        const data = options.printDataLog && !control;
        yield jsonLine('record', {
          offset: recordOffset(decoded!, r),
          timestamp: recordTimestamp(decoded!, r),
          keySize: r.key?.length ?? -1,
          valueSize: r.value?.length ?? -1,
          sequence,
          headerKeys: r.headers.map((x) => x.key),
          ...(control ? { control: controlDetail(r.key, r.value).trim() } : {}),
          ...(data
            ? { key: r.key?.toString('utf8') ?? null, payload: r.value?.toString('utf8') ?? null }
            : {}),
        });
        continue;
      }
      let line = `| offset: ${recordOffset(decoded!, r)} ${timestampType}: ${recordTimestamp(decoded!, r)} keySize: ${r.key?.length ?? -1} valueSize: ${r.value?.length ?? -1} sequence: ${sequence} headerKeys: [${r.headers.map((x) => x.key).join(',')}]`;
      if (control) line += controlDetail(r.key, r.value);
      else if (options.printDataLog) {
        if (r.key !== null) line += ` key: ${r.key.toString('utf8')}`;
        line += ` payload: ${r.value === null ? 'null' : r.value.toString('utf8')}`;
      }
      yield line;
    }
  }
}

function controlDetail(key: Buffer | null, value: Buffer | null): string {
  try {
    const type = decodeControlRecordKey(key).type;
    if (type === 0 || type === 1) {
      return ` endTxnMarker: ${type === 1 ? 'COMMIT' : 'ABORT'} coordinatorEpoch: ${decodeEndTxnMarker(value).coordinatorEpoch}`;
    }
    return ` controlType: ${type}`;
  } catch (err) {
    return ` controlRecord: undecodable (${(err as Error).message})`;
  }
}

/**
 * `.index` entries (relative offset int32, position int32; OffsetIndex in storage) and, when the
 * segment's `.log` is beside it, a check that each entry points at the batch ending at its offset.
 */
export function* dumpOffsetIndex(
  path: string,
  data: Buffer,
  logPath: string | null,
  json = false,
): Generator<string> {
  const base = BigInt(segmentBaseOffset(path));
  const mismatches: string[] = [];
  const batchAt = logPath ? batchLastOffsets(logPath) : null;
  for (let at = 0; at + 8 <= data.length; at += 8) {
    const offset = base + BigInt(data.readInt32BE(at));
    const position = data.readInt32BE(at + 4);
    yield json ? jsonLine('indexEntry', { offset, position }) : `offset: ${offset} position: ${position}`;
    if (batchAt) {
      const last = batchAt.get(position);
      if (last !== offset) {
        mismatches.push(
          json
            ? jsonLine('mismatch', { indexOffset: offset, logOffset: last ?? null })
            : `  Index offset: ${offset}, log offset: ${last ?? 'none'}`,
        );
      }
    }
  }
  if (data.length % 8 !== 0) {
    yield json
      ? jsonLine('invalidBytes', { bytes: data.length % 8 })
      : `Found ${data.length % 8} invalid bytes at the end of the index`;
  }
  if (mismatches.length > 0) yield* json ? mismatches : [`Mismatches in :${path}`, ...mismatches];
}

/** `.timeindex` entries: timestamp int64, relative offset int32 (TimeIndex in storage, KIP-33). */
export function* dumpTimeIndex(path: string, data: Buffer, json = false): Generator<string> {
  const base = BigInt(segmentBaseOffset(path));
  for (let at = 0; at + 12 <= data.length; at += 12) {
    const timestamp = data.readBigInt64BE(at);
    const offset = base + BigInt(data.readInt32BE(at + 8));
    yield json
      ? jsonLine('timeIndexEntry', { timestamp, offset })
      : `timestamp: ${timestamp} offset: ${offset}`;
  }
  if (data.length % 12 !== 0) {
    yield json
      ? jsonLine('invalidBytes', { bytes: data.length % 12 })
      : `Found ${data.length % 12} invalid bytes at the end of the index`;
  }
}

/**
 * A producer state snapshot, one line per producer as Kafka's DumpLogSegments.dumpProducerIdSnapshot
 * prints it (the batch fields are those of the producer's last batch). Throws StorageError
 * (CORRUPT_CHECKPOINT) for a snapshot whose version, length or CRC is wrong.
 */
export function* dumpProducerSnapshot(path: string, data: Buffer, json = false): Generator<string> {
  for (const e of decodeProducerSnapshot(data, path)) {
    const b = e.batches[e.batches.length - 1];
    const txnFirstOffset = e.currentTxnFirstOffset < 0 ? null : e.currentTxnFirstOffset;
    if (json) {
      yield jsonLine('producerSnapshotEntry', {
        producerId: e.producerId,
        producerEpoch: e.producerEpoch,
        coordinatorEpoch: e.coordinatorEpoch,
        currentTxnFirstOffset: txnFirstOffset,
        lastTimestamp: e.lastTimestamp,
        ...(b && {
          firstSequence: b.firstSeq,
          lastSequence: b.lastSeq,
          lastOffset: b.lastOffset,
          offsetDelta: b.offsetDelta,
          timestamp: b.timestamp,
        }),
      });
      continue;
    }
    const txn = txnFirstOffset === null ? 'OptionalLong.empty' : `OptionalLong[${txnFirstOffset}]`;
    let line = `producerId: ${e.producerId} producerEpoch: ${e.producerEpoch} coordinatorEpoch: ${e.coordinatorEpoch} currentTxnFirstOffset: ${txn} lastTimestamp: ${e.lastTimestamp}`;
    if (b) {
      line += ` firstSequence: ${b.firstSeq} lastSequence: ${b.lastSeq} lastOffset: ${b.lastOffset} offsetDelta: ${b.offsetDelta} timestamp: ${b.timestamp}`;
    }
    yield line;
  }
}

/**
 * An aborted-transaction index, one line per entry as Kafka's DumpLogSegments.dumpTxnIndex prints
 * it; a torn trailing entry is reported as an index's invalid bytes are.
 */
export function* dumpTxnIndex(data: Buffer, json = false): Generator<string> {
  for (const t of decodeAbortedTxns(data)) {
    yield json
      ? jsonLine('abortedTxn', { version: 0, ...t })
      : `version: 0 producerId: ${t.producerId} firstOffset: ${t.firstOffset} lastOffset: ${t.lastOffset} lastStableOffset: ${t.lastStableOffset}`;
  }
  const torn = data.length % ABORTED_TXN_BYTES;
  if (torn !== 0) {
    yield json
      ? jsonLine('invalidBytes', { bytes: torn })
      : `Found ${torn} invalid bytes at the end of the index`;
  }
}

function batchLastOffsets(logPath: string): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const item of segmentBatches(logPath)) {
    if ('invalidBytes' in item) break;
    const h = readBatchHeader(item.batch);
    out.set(item.position, h.baseOffset + BigInt(h.lastOffsetDelta));
  }
  return out;
}
