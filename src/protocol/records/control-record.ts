import { ProtocolError } from '../primitives/protocol-error.js';
import type { Record } from './record.js';
import { encodeRecordBatch } from './record-batch.js';

/**
 * Control records (KIP-98): the records of a batch with the control attribute. The key is
 * int16 version (0) and int16 type; for transaction markers the value is int16 version (0) and
 * int32 coordinator epoch (Kafka's ControlRecordType and EndTransactionMarker). KRaft adds
 * further types (leader change, snapshot header and footer, voters), whose values are
 * generated messages and are left to their owners here.
 */
export const ControlRecordType = {
  Abort: 0,
  Commit: 1,
  LeaderChange: 2,
  SnapshotHeader: 3,
  SnapshotFooter: 4,
  KRaftVersion: 5,
  KRaftVoters: 6,
} as const;
export type ControlRecordType = (typeof ControlRecordType)[keyof typeof ControlRecordType];

const CONTROL_KEY_VERSION = 0;
const END_TXN_MARKER_VERSION = 0;

export interface ControlRecordKey {
  version: number;
  type: number;
}

export function encodeControlRecordKey(type: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt16BE(CONTROL_KEY_VERSION, 0);
  b.writeInt16BE(type, 2);
  return b;
}

/** Kafka reads the version and type and ignores any later key fields, so newer versions still parse. */
export function decodeControlRecordKey(key: Buffer | null): ControlRecordKey {
  if (key === null || key.length < 4) {
    throw new ProtocolError('INVALID_RECORD', 'control record key needs 4 bytes', 0);
  }
  const version = key.readInt16BE(0);
  if (version < 0) throw new ProtocolError('INVALID_RECORD', `control record key version ${version}`, 0);
  return { version, type: key.readInt16BE(2) };
}

export interface EndTxnMarker {
  version: number;
  coordinatorEpoch: number;
}

export function encodeEndTxnMarker(coordinatorEpoch: number): Buffer {
  const b = Buffer.allocUnsafe(6);
  b.writeInt16BE(END_TXN_MARKER_VERSION, 0);
  b.writeInt32BE(coordinatorEpoch, 2);
  return b;
}

export function decodeEndTxnMarker(value: Buffer | null): EndTxnMarker {
  if (value === null || value.length < 6) {
    throw new ProtocolError('INVALID_RECORD', 'end transaction marker needs 6 bytes', 0);
  }
  const version = value.readInt16BE(0);
  if (version < 0) throw new ProtocolError('INVALID_RECORD', `end transaction marker version ${version}`, 0);
  return { version, coordinatorEpoch: value.readInt32BE(2) };
}

/** True when the record is a commit or abort marker (the only control types in data partitions). */
export function isEndTxnMarker(record: Record): boolean {
  const { type } = decodeControlRecordKey(record.key);
  return type === ControlRecordType.Abort || type === ControlRecordType.Commit;
}

export interface EndTxnMarkerBatchInput {
  baseOffset?: bigint;
  partitionLeaderEpoch?: number;
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
  commit: boolean;
  timestamp: bigint;
}

/** The one-record batch a transaction coordinator's WriteTxnMarkers appends (MemoryRecords.withEndTransactionMarker). */
export function encodeEndTxnMarkerBatch(input: EndTxnMarkerBatchInput): Buffer {
  return encodeRecordBatch({
    baseOffset: input.baseOffset ?? 0n,
    partitionLeaderEpoch: input.partitionLeaderEpoch ?? -1,
    transactional: true,
    control: true,
    producerId: input.producerId,
    producerEpoch: input.producerEpoch,
    baseSequence: -1,
    baseTimestamp: input.timestamp,
    records: [
      {
        offsetDelta: 0,
        timestampDelta: 0,
        key: encodeControlRecordKey(input.commit ? ControlRecordType.Commit : ControlRecordType.Abort),
        value: encodeEndTxnMarker(input.coordinatorEpoch),
        headers: [],
      },
    ],
  });
}
