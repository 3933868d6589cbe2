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
    // Content past the decompression cap: what Kafka answers for a batch too large to take, and the
    // code on which Kafka's producer splits a batch of several records and sends the halves.
    if (err.code === 'DECOMPRESSED_TOO_LARGE')
      return { code: ErrorCode.MESSAGE_TOO_LARGE, message: `record batch ${err.message}` };
    return { code: ErrorCode.CORRUPT_MESSAGE, message: err.message };
  }
  return null;
}
