import { StromError } from '../common/strom-error.js';
import { errorInfo } from '../protocol/error-codes.js';

/** Stable codes of the client's errors; docs/client.md and docs/errors.md describe each. */
export type ClientErrorCode =
  | 'KAFKA_ERROR'
  | 'REQUEST_TIMEOUT'
  | 'CONNECTION_CLOSED'
  | 'CONNECTION_FAILED'
  | 'ABORTED'
  | 'CLIENT_CLOSED'
  | 'UNSUPPORTED_API'
  | 'NO_BROKERS'
  | 'BUFFER_EXHAUSTED'
  | 'RECORD_TOO_LARGE'
  | 'INVALID_ARGUMENT'
  | 'SASL_AUTHENTICATION_FAILED'
  | 'ILLEGAL_STATE'
  | 'TRANSACTION_FAILED'
  | 'TRANSACTION_ABORTED';

/** Every ClientErrorCode, for documentation checks (the object type makes the list exhaustive). */
const CODES: { [C in ClientErrorCode]: true } = {
  KAFKA_ERROR: true,
  REQUEST_TIMEOUT: true,
  CONNECTION_CLOSED: true,
  CONNECTION_FAILED: true,
  ABORTED: true,
  CLIENT_CLOSED: true,
  UNSUPPORTED_API: true,
  NO_BROKERS: true,
  BUFFER_EXHAUSTED: true,
  RECORD_TOO_LARGE: true,
  INVALID_ARGUMENT: true,
  SASL_AUTHENTICATION_FAILED: true,
  ILLEGAL_STATE: true,
  TRANSACTION_FAILED: true,
  TRANSACTION_ABORTED: true,
};
export const CLIENT_ERROR_CODES = Object.keys(CODES) as ClientErrorCode[];

/** Codes whose failure is transient: the same call may succeed when retried. */
const RETRIABLE_CLIENT_CODES: ReadonlySet<ClientErrorCode> = new Set([
  'REQUEST_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_FAILED',
  'NO_BROKERS',
]);

/**
 * Every error the client raises. `retriable` says whether retrying the same call may succeed;
 * for broker errors `kafkaCode`/`kafkaName` carry Kafka's error code (Errors.java).
 */
export class ClientError extends StromError {
  declare readonly code: ClientErrorCode;
  readonly retriable: boolean;
  readonly kafkaCode: number | null;
  readonly kafkaName: string | null;

  constructor(
    code: ClientErrorCode,
    message: string,
    options: { cause?: unknown; retriable?: boolean; kafkaCode?: number } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.retriable = options.retriable ?? RETRIABLE_CLIENT_CODES.has(code);
    this.kafkaCode = options.kafkaCode ?? null;
    this.kafkaName = options.kafkaCode === undefined ? null : errorInfo(options.kafkaCode).name;
  }
}

/** An error code returned by a broker in a response. */
export class KafkaError extends ClientError {
  declare readonly kafkaCode: number;
  declare readonly kafkaName: string;

  constructor(kafkaCode: number, context?: string, brokerMessage?: string | null) {
    const info = errorInfo(kafkaCode);
    const detail = brokerMessage ? `: ${brokerMessage}` : '';
    super('KAFKA_ERROR', `${info.name}${context ? ` (${context})` : ''}${detail}`, {
      retriable: info.retriable,
      kafkaCode,
    });
  }
}

/** Throws KafkaError for a non-zero error code. */
export function checkErrorCode(code: number, context?: string, message?: string | null): void {
  if (code !== 0) throw new KafkaError(code, context, message);
}

export function abortError(signal: AbortSignal | undefined): ClientError {
  return new ClientError('ABORTED', 'the operation was aborted', { cause: signal?.reason });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}
