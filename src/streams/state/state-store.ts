import type { TaskId } from '../processor/processor.js';
import type { Serde } from '../serdes.js';

/** A change as the changelog topic holds it: serialized key, value (null deletes) and timestamp. */
export interface ChangelogRecord {
  key: Buffer;
  value: Buffer | null;
  timestampMs: number;
}

/**
 * What a task gives its stores at init, as Kafka's StateStoreContext: where to log changes and
 * how to register the callback that replays the changelog into the store.
 */
export interface StateStoreContext {
  readonly applicationId: string;
  readonly taskId: TaskId;
  /** The task's directory, `<state.dir>/<application.id>/<task id>`, for persistent stores; null where there is none. */
  readonly taskDir?: string | null;
  /** The timestamp of the record being processed (changes made outside a record log this). */
  recordTimestampMs(): number;
  /** Sends one change to the store's changelog; a no-op when logging is disabled or there is no runtime. */
  logChange(storeName: string, change: ChangelogRecord): void;
  /** The runtime calls `restore` with batches of changelog records before processing starts. */
  register(store: StateStore, restore: (batch: readonly ChangelogRecord[]) => void): void;
}

/** Kafka's StateStore: a named piece of task state. */
export interface StateStore {
  readonly name: string;
  /** Whether the store keeps its data on disk across restarts (Kafka's persistent()). */
  readonly persistent: boolean;
  init(context: StateStoreContext): void;
  flush(): void;
  close(): void;
  /** Deletes the store's data (persistent stores, before a restore from the changelog's beginning). */
  wipe?(): void;
  /** Forgets changes not yet flushed (the task is closed dirty). */
  discard?(): void;
}

/** Kafka's StoreBuilder: builds one store per task, with its changelog settings. */
export interface StoreBuilder<S extends StateStore = StateStore> {
  readonly name: string;
  /** Whether changes go to `<application.id>-<store>-changelog` (Kafka's default: true). */
  readonly loggingEnabled: boolean;
  /** Topic configs of the changelog beyond Kafka's cleanup.policy=compact. */
  readonly logConfig: Readonly<Record<string, string>>;
  withLoggingEnabled(config?: Record<string, string>): StoreBuilder<S>;
  withLoggingDisabled(): StoreBuilder<S>;
  /** Makes the store of one task; `defaults` are the application's serdes for those the builder lacks. */
  build(defaults?: SerdeDefaults): S;
}

/** The application's default serdes (defaultKeySerde, defaultValueSerde). */
export interface SerdeDefaults {
  key: Serde<unknown>;
  value: Serde<unknown>;
}

/** The changelog topic of a store, as Kafka's ProcessorStateManager.storeChangelogTopic names it. */
export function changelogTopicName(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`;
}
