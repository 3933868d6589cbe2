import { StromError } from '../common/strom-error.js';

/**
 * Stable codes of Connect's errors, after Kafka Connect's exception classes: DATA_ERROR is
 * DataException (a value that does not fit its schema, bytes a converter cannot read),
 * CONFIG_ERROR is ConfigException, CONNECT_ERROR is ConnectException (a connector or task failed),
 * RETRIABLE is RetriableException (the worker calls again), NOT_FOUND is NotFoundException,
 * CONFLICT is RebalanceNeededException (a distributed worker cannot answer during a rebalance).
 */
export type ConnectErrorCode =
  | 'DATA_ERROR'
  | 'CONFIG_ERROR'
  | 'CONNECT_ERROR'
  | 'RETRIABLE'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PLUGIN_NOT_FOUND'
  | 'BAD_REQUEST'
  | 'CONFLICT';

export class ConnectError extends StromError {
  declare readonly code: ConnectErrorCode;
  constructor(code: ConnectErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Kafka Connect's DataException: a value does not match its schema or cannot be converted. */
export class DataError extends ConnectError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DATA_ERROR', message, options);
  }
}

/** Kafka Connect's RetriableException: the worker retries the call (poll, put) instead of failing the task. */
export class RetriableError extends ConnectError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RETRIABLE', message, options);
  }
}
