import { StromError } from '../../common/strom-error.js';

/** Stable codes for malformed input; each names what was wrong with the bytes. */
export type ProtocolErrorCode =
  | 'TRUNCATED'
  | 'NEGATIVE_LENGTH'
  | 'LENGTH_TOO_LARGE'
  | 'VARINT_OVERFLOW'
  | 'INVALID_UTF8'
  | 'NULL_NOT_ALLOWED'
  | 'UNSUPPORTED_VERSION'
  | 'UNKNOWN_API_KEY'
  | 'INVALID_FIELD'
  | 'TRAILING_BYTES'
  | 'CORRUPT_RECORD'
  | 'DECOMPRESSED_TOO_LARGE'
  | 'INVALID_RECORD'
  | 'UNSUPPORTED_COMPRESSION';

/**
 * Raised by decoders and encoders when bytes (or values) do not fit the protocol.
 * `position` is the byte offset in the input where the problem was found, -1 when encoding.
 */
export class ProtocolError extends StromError {
  declare readonly code: ProtocolErrorCode;
  readonly position: number;

  constructor(code: ProtocolErrorCode, message: string, position = -1, options?: { cause?: unknown }) {
    super(code, position >= 0 ? `${message} (at byte ${position})` : message, options);
    this.position = position;
  }
}
