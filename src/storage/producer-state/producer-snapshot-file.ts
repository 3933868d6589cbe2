import { crc32c } from '../../protocol/primitives/crc32c.js';
import { StorageError } from '../storage-error.js';
import { decrementSequence, ProducerStateEntry } from './producer-state-entry.js';

/** ProducerStateManager.PRODUCER_SNAPSHOT_VERSION. */
export const PRODUCER_SNAPSHOT_VERSION = 1;
export const SNAPSHOT_SUFFIX = '.snapshot';

/** version int16, crc uint32, then the entries array: the CRC covers everything after itself. */
const ENTRIES_AT = 6;
/** ProducerId int64, Epoch int16, LastSequence int32, LastOffset int64, OffsetDelta int32,
 * Timestamp int64, CoordinatorEpoch int32, CurrentTxnFirstOffset int64. */
const ENTRY_BYTES = 46;

/** `<offset, 20 digits>.snapshot`, as Kafka names producer state snapshots. */
export function snapshotFileName(offset: number): string {
  return `${String(offset).padStart(20, '0')}${SNAPSHOT_SUFFIX}`;
}

/** The offset a snapshot file name stands for, or null for any other file. */
export function snapshotOffsetOf(name: string): number | null {
  if (!/^\d{20}\.snapshot$/.test(name)) return null;
  return Number(name.slice(0, 20));
}

/**
 * Kafka's producer snapshot bytes (ProducerStateManager.writeSnapshot): each producer with its
 * epoch and last batch. Only the last batch survives a snapshot, as in Kafka: after a reload a
 * retry of an older batch is no longer recognised (the log after the snapshot adds its batches).
 */
export function encodeProducerSnapshot(entries: Iterable<ProducerStateEntry>): Buffer {
  const list = [...entries];
  const buf = Buffer.alloc(ENTRIES_AT + 4 + list.length * ENTRY_BYTES);
  buf.writeInt16BE(PRODUCER_SNAPSHOT_VERSION, 0);
  buf.writeInt32BE(list.length, ENTRIES_AT);
  let at = ENTRIES_AT + 4;
  for (const e of list) {
    const last = e.batches[e.batches.length - 1];
    buf.writeBigInt64BE(e.producerId, at);
    buf.writeInt16BE(e.producerEpoch, at + 8);
    buf.writeInt32BE(last?.lastSeq ?? -1, at + 10);
    buf.writeBigInt64BE(BigInt(last?.lastOffset ?? -1), at + 14);
    buf.writeInt32BE(last?.offsetDelta ?? 0, at + 22);
    buf.writeBigInt64BE(BigInt(e.lastTimestamp), at + 26);
    buf.writeInt32BE(e.coordinatorEpoch, at + 34);
    buf.writeBigInt64BE(BigInt(e.currentTxnFirstOffset), at + 38);
    at += ENTRY_BYTES;
  }
  buf.writeUInt32BE(crc32c(buf.subarray(ENTRIES_AT)), 2);
  return buf;
}

/** Reads a snapshot; CORRUPT_CHECKPOINT when the version, length or CRC is wrong. */
export function decodeProducerSnapshot(buf: Buffer, name = 'producer snapshot'): ProducerStateEntry[] {
  const corrupt = (why: string): never => {
    throw new StorageError('CORRUPT_CHECKPOINT', `${name}: ${why}`);
  };
  if (buf.length < ENTRIES_AT + 4) corrupt(`${buf.length} bytes is too short`);
  const version = buf.readInt16BE(0);
  if (version !== PRODUCER_SNAPSHOT_VERSION) corrupt(`unknown snapshot version ${version}`);
  if (buf.readUInt32BE(2) !== crc32c(buf.subarray(ENTRIES_AT))) corrupt('CRC mismatch');
  const count = buf.readInt32BE(ENTRIES_AT);
  if (count < 0 || buf.length !== ENTRIES_AT + 4 + count * ENTRY_BYTES) corrupt(`bad entry count ${count}`);
  const out: ProducerStateEntry[] = [];
  let at = ENTRIES_AT + 4;
  for (let i = 0; i < count; i++) {
    const producerId = buf.readBigInt64BE(at);
    const epoch = buf.readInt16BE(at + 8);
    const lastSeq = buf.readInt32BE(at + 10);
    const lastOffset = Number(buf.readBigInt64BE(at + 14));
    const offsetDelta = buf.readInt32BE(at + 22);
    const timestamp = Number(buf.readBigInt64BE(at + 26));
    const coordinatorEpoch = buf.readInt32BE(at + 34);
    const txnFirstOffset = Number(buf.readBigInt64BE(at + 38));
    const batches =
      lastOffset >= 0
        ? [{ firstSeq: decrementSequence(lastSeq, offsetDelta), lastSeq, lastOffset, offsetDelta, timestamp }]
        : [];
    out.push(new ProducerStateEntry(producerId, epoch, batches, coordinatorEpoch, txnFirstOffset, timestamp));
    at += ENTRY_BYTES;
  }
  return out;
}
