// Strom Streams, Kafka Streams in TypeScript: `import { StreamsBuilder, Serdes } from 'strom/streams'`.

export type { Change } from './dsl/change.js';
export {
  BranchedKStream,
  GlobalKTable,
  KGroupedStream,
  KStream,
  KTable,
  SessionWindowedKStream,
  TimeWindowedKStream,
} from './dsl/kstream.js';
export type {
  Branched,
  Consumed,
  Grouped,
  Joined,
  Materialized,
  Produced,
  Repartitioned,
  StreamJoined,
} from './dsl/options.js';
export { StreamsBuilder } from './dsl/streams-builder.js';
export { BufferConfig, Suppressed } from './dsl/suppress.js';
export { WindowedSerdes } from './dsl/windowed-serdes.js';
export { JoinWindows, SessionWindows, SlidingWindows, TimeWindows } from './dsl/windows.js';
export {
  DefaultProductionExceptionHandler,
  type DeserializationExceptionHandler,
  type ErrorHandlerContext,
  type HandlerResponse,
  LogAndContinueExceptionHandler,
  LogAndFailExceptionHandler,
  type OutputRecord,
  type ProductionExceptionHandler,
  type RawInputRecord,
  type StreamsUncaughtExceptionHandler,
  type StreamThreadExceptionResponse,
} from './exception-handlers.js';
export { KafkaStreams, type KafkaStreamsState, type StreamsConfig } from './kafka-streams.js';
export type {
  Cancellable,
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  PunctuationType,
  Punctuator,
  TaskId,
} from './processor/processor.js';
export type { Header, RecordMetadata, StreamRecord } from './processor/stream-record.js';
export { type Serde, Serdes } from './serdes.js';
export type { KeyValueBytesStore } from './state/in-memory-bytes-store.js';
export type {
  KeyValue,
  KeyValueStore,
  ReadOnlyKeyValueStore,
  TimestampedKeyValueStore,
  ValueAndTimestamp,
} from './state/key-value-store.js';
export type { StateStore, StoreBuilder } from './state/state-store.js';
export {
  type KeyValueBytesStoreSupplier,
  type SessionBytesStoreSupplier,
  Stores,
  type WindowBytesStoreSupplier,
} from './state/stores.js';
export type {
  ReadOnlySessionStore,
  ReadOnlyWindowStore,
  SessionBytesStore,
  SessionStore,
  Window,
  WindowBytesStore,
  Windowed,
  WindowStore,
} from './state/window-store.js';
export {
  type QueryableStoreType,
  QueryableStoreTypes,
  StoreQueryParameters,
} from './store-query-parameters.js';
export { StreamsError, type StreamsErrorCode } from './streams-error.js';
export { TestInputTopic, type TestInputTopicOptions } from './test-utils/test-input-topic.js';
export { TestOutputTopic, type TestRecord } from './test-utils/test-output-topic.js';
export { TopologyTestDriver, type TopologyTestDriverConfig } from './test-utils/topology-test-driver.js';
export { type SinkOptions, type SourceOptions, Topology } from './topology/topology.js';
export type { StreamPartitioner, TimestampExtractor, TopicNameExtractor } from './topology/topology-model.js';
