/**
 * `strom/protocol`: the Kafka wire format as Strom speaks it, for tools and tests that build or
 * read Kafka frames and record batches themselves. Every request, response and record schema
 * codec generated from Kafka's specs (with `ApiKey` and `API_REGISTRY`), whole frames, Kafka's
 * error codes, v2 record batches, compression and the primitive reader and writer. The broker and
 * the client are built on these same exports.
 */

export { compress, compressSync, decompress, decompressSync } from './compression/compress.js';
export { allErrors, ErrorCode, errorInfo, type KafkaErrorInfo } from './error-codes.js';
export {
  type DecodedRequest,
  type DecodedResponse,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  peekCorrelationId,
  type RequestBody,
  type ResponseBody,
} from './frame.js';
export * from './generated/index.js';
export { KAFKA_SPEC_RELEASE } from './kafka-release.js';
export type { ApiDescriptor, MessageCodec, MessageInput } from './message-codec.js';
export { crc32c } from './primitives/crc32c.js';
export { ProtocolError, type ProtocolErrorCode } from './primitives/protocol-error.js';
export { Reader } from './primitives/reader.js';
export { Writer } from './primitives/writer.js';
export type { Record, RecordHeader } from './records/record.js';
export {
  decodeRecordBatch,
  encodeRecordBatch,
  type OpenRecordBatch,
  openRecordBatch,
  type RecordBatch,
  type RecordBatchInput,
  recordOffset,
  recordTimestamp,
} from './records/record-batch.js';
export {
  BATCH_HEADER_BYTES,
  CompressionType,
  type RecordBatchHeader,
  readBatchHeader,
  splitBatches,
  TimestampType,
  validateBatch,
} from './records/record-batch-header.js';
