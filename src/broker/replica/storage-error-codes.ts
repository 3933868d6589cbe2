import { ErrorCode } from '../../protocol/error-codes.js';
import { ProtocolError } from '../../protocol/primitives/protocol-error.js';
import { StorageError } from '../../storage/storage-error.js';

/** The Kafka error code a storage or record-format failure is reported as. */
export function kafkaErrorFor(err: unknown): { code: number; message: string } | null {
  if (err instanceof StorageError) {
    switch (err.code) {
      case 'CORRUPT_MESSAGE':
        return { code: ErrorCode.CORRUPT_MESSAGE, message: err.message };
      case 'INVALID_RECORD':
        return { code: ErrorCode.INVALID_RECORD, message: err.message };
      case 'MESSAGE_TOO_LARGE':
        return { code: ErrorCode.MESSAGE_TOO_LARGE, message: err.message };
      case 'RECORD_LIST_TOO_LARGE':
        return { code: ErrorCode.RECORD_LIST_TOO_LARGE, message: err.message };
      case 'INVALID_TIMESTAMP':
        return { code: ErrorCode.INVALID_TIMESTAMP, message: err.message };
      case 'OFFSET_OUT_OF_RANGE':
        return { code: ErrorCode.OFFSET_OUT_OF_RANGE, message: err.message };
      case 'OFFSETS_OUT_OF_ORDER':
        return { code: ErrorCode.UNKNOWN_SERVER_ERROR, message: err.message };
      case 'KAFKA_STORAGE_ERROR':
      case 'LOG_CLOSED':
        return { code: ErrorCode.KAFKA_STORAGE_ERROR, message: err.message };
      default:
        return { code: ErrorCode.KAFKA_STORAGE_ERROR, message: err.message };
    }
  }
  if (err instanceof ProtocolError) {
    if (err.code === 'UNSUPPORTED_COMPRESSION')
      return { code: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, message: err.message };
    if (err.code === 'INVALID_RECORD') return { code: ErrorCode.INVALID_RECORD, message: err.message };
    return { code: ErrorCode.CORRUPT_MESSAGE, message: err.message };
  }
  return null;
}
