import { StromError } from '../common/strom-error.js';

/** The stable codes of Strom Streams' errors; docs/streams.md lists them. */
export type StreamsErrorCode =
  /** The topology is not valid: an unknown parent, a duplicate name, a store nobody connects. */
  | 'TOPOLOGY_INVALID'
  /** A serde could not write or read a key or value (a wrong type, malformed bytes). */
  | 'SERIALIZATION_FAILED'
  /** A source could not read a record and the deserialization exception handler said FAIL. */
  | 'DESERIALIZATION_FAILED'
  /** The producer could not write an output record and the production exception handler said FAIL. */
  | 'PRODUCTION_FAILED'
  /** An exception handler threw instead of answering. */
  | 'HANDLER_FAILED'
  /** A processor asked for a store it is not connected to, or a store was used before init. */
  | 'STORE_UNAVAILABLE'
  /** A configuration value is missing or not allowed. */
  | 'CONFIG_INVALID'
  /** The application is not in a state that allows the call (start twice, query after close). */
  | 'ILLEGAL_STATE'
  /** A source topic does not exist (Kafka's MissingSourceTopicException). */
  | 'MISSING_SOURCE_TOPIC'
  /** An internal topic exists with another partition count than the topology needs. */
  | 'INTERNAL_TOPIC_MISMATCH';

/** Kafka Streams' StreamsException, TopologyException and SerializationException in one class with a code. */
export class StreamsError extends StromError {
  declare readonly code: StreamsErrorCode;

  constructor(code: StreamsErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
