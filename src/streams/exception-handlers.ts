import type { Header } from './processor/stream-record.js';

/**
 * Kafka Streams' error handlers (KIP-161, KIP-210, KIP-399, KIP-671): what happens to a record
 * that cannot be read or written, and to a stream thread that fails.
 */

/** Where the failing record was, as Kafka's ErrorHandlerContext gives it. */
export interface ErrorHandlerContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly taskId: string;
  /** The source node that read the record, or the sink that wrote it. */
  readonly processorNodeId: string;
}

/** A record as the consumer read it, before deserialization. */
export interface RawInputRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly Header[];
}

/** A record on its way to the producer; key and value are bytes once serialized. */
export interface OutputRecord {
  readonly topic: string;
  readonly partition: number | undefined;
  readonly key: unknown;
  readonly value: unknown;
  readonly timestamp: number;
}

/** CONTINUE skips the record (its offset is committed as if processed); FAIL fails the stream thread. */
export type HandlerResponse = 'CONTINUE' | 'FAIL';

/** default.deserialization.exception.handler: a source could not deserialize a record. */
export interface DeserializationExceptionHandler {
  handle(context: ErrorHandlerContext, record: RawInputRecord, exception: Error): HandlerResponse;
}

/**
 * default.production.exception.handler: the producer could not write an output record (`handle`),
 * or a sink could not serialize it (`handleSerializationException`, FAIL when not given). Fencing
 * and rebalancing errors never reach it: they close the tasks dirty instead, as in Kafka.
 */
export interface ProductionExceptionHandler {
  handle(context: ErrorHandlerContext | null, record: OutputRecord, exception: Error): HandlerResponse;
  handleSerializationException?(
    context: ErrorHandlerContext,
    record: OutputRecord,
    exception: Error,
  ): HandlerResponse;
}

/** Kafka's LogAndFailExceptionHandler, the default: the thread fails on a record it cannot read. */
export class LogAndFailExceptionHandler implements DeserializationExceptionHandler {
  handle(): HandlerResponse {
    return 'FAIL';
  }
}

/** Kafka's LogAndContinueExceptionHandler: a record that cannot be read is logged and skipped. */
export class LogAndContinueExceptionHandler implements DeserializationExceptionHandler {
  handle(): HandlerResponse {
    return 'CONTINUE';
  }
}

/** Kafka's DefaultProductionExceptionHandler: every production error fails the thread. */
export class DefaultProductionExceptionHandler implements ProductionExceptionHandler {
  handle(): HandlerResponse {
    return 'FAIL';
  }
}

/**
 * What KafkaStreams does when a stream thread fails (StreamsUncaughtExceptionHandler, KIP-671):
 * REPLACE_THREAD starts a new thread in its place, SHUTDOWN_CLIENT stops this instance (ERROR).
 */
export type StreamThreadExceptionResponse = 'REPLACE_THREAD' | 'SHUTDOWN_CLIENT';

export type StreamsUncaughtExceptionHandler = (exception: Error) => StreamThreadExceptionResponse;
