import {
  ControlRecordType,
  decodeControlRecordKey,
  decodeEndTxnMarker,
} from '../../protocol/records/control-record.js';
import { openRecordBatch } from '../../protocol/records/record-batch.js';
import { storageErrorFor } from '../append-validator.js';
import { StorageError } from '../storage-error.js';

/** What an end-transaction marker says: how the transaction ended and which coordinator epoch wrote it. */
export interface EndTxnMarkerInfo {
  readonly commit: boolean;
  readonly coordinatorEpoch: number;
}

/**
 * Reads the end-transaction marker of a control batch (its one record: Kafka's EndTransactionMarker
 * key and value), or null for a control batch left empty by the cleaner. Any other control type is
 * INVALID_RECORD: only commit and abort markers belong in a data partition.
 */
export function readEndTxnMarker(batch: Buffer): EndTxnMarkerInfo | null {
  try {
    for (const r of openRecordBatch(batch, { checkCrc: false }).records()) {
      const { type } = decodeControlRecordKey(r.key);
      if (type !== ControlRecordType.Abort && type !== ControlRecordType.Commit)
        throw new StorageError('INVALID_RECORD', `control record type ${type} is not a transaction marker`);
      return {
        commit: type === ControlRecordType.Commit,
        coordinatorEpoch: decodeEndTxnMarker(r.value).coordinatorEpoch,
      };
    }
  } catch (e) {
    throw storageErrorFor(e);
  }
  return null;
}
