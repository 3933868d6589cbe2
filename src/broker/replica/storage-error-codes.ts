import { ErrorCode } from '../../protocol/error-codes.js';
import { ProtocolError } from '../../protocol/primitives/protocol-error.js';
import { kafkaErrorCode, StorageError } from '../../storage/storage-error.js';

/** The Kafka error code a storage or record-format failure is reported as. */
export function kafkaErrorFor(err: unknown): { code: number; message: string } | null {
  if (err instanceof StorageError) return { code: kafkaErrorCode(err.code), message: err.message };
  if (err instanceof ProtocolError) {
    if (err.code === 'UNSUPPORTED_COMPRESSION')
      return { code: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, message: err.message };
    if (err.code === 'INVALID_RECORD') return { code: ErrorCode.INVALID_RECORD, message: err.message };
    return { code: ErrorCode.CORRUPT_MESSAGE, message: err.message };
  }
  return null;
}
