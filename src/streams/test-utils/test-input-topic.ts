import type { Header } from '../processor/stream-record.js';
import type { Serde } from '../serdes.js';
import type { KeyValue } from '../state/key-value-store.js';

export interface TestInputTopicOptions {
  /** Timestamp of the first record piped without one (default: the driver's wall-clock time). */
  startTimestampMs?: number;
  /** How far the topic's time moves after each record piped without a timestamp (default 0). */
  autoAdvanceMs?: number;
}

/** Where a TestInputTopic pipes its records: the TopologyTestDriver. */
export interface RecordPipe {
  pipeRecord(
    topic: string,
    record: { key: Buffer | null; value: Buffer | null; timestamp: number; headers?: readonly Header[] },
  ): void;
}

/** Kafka's TestInputTopic: serializes and pipes records into the driver. */
export class TestInputTopic<K, V> {
  private currentTimeMs: number;

  /** @internal */
  constructor(
    private readonly driver: RecordPipe,
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    startTimestampMs: number,
    private readonly autoAdvanceMs: number,
  ) {
    this.currentTimeMs = startTimestampMs;
  }

  /** Pipes one record; without a timestamp it gets the topic's current time. */
  pipeInput(key: K | null, value: V | null, timestampMs?: number): void {
    this.pipeRecord({ key, value, ...(timestampMs === undefined ? {} : { timestamp: timestampMs }) });
  }

  pipeRecord(record: { key?: K | null; value: V | null; timestamp?: number; headers?: Header[] }): void {
    let timestamp = record.timestamp;
    if (timestamp === undefined) {
      timestamp = this.currentTimeMs;
      this.currentTimeMs += this.autoAdvanceMs;
    }
    this.driver.pipeRecord(this.topic, {
      key: this.keySerde.serialize(this.topic, record.key ?? null),
      value: this.valueSerde.serialize(this.topic, record.value),
      timestamp,
      headers: record.headers ?? [],
    });
  }

  pipeKeyValueList(list: readonly KeyValue<K | null, V | null>[]): void {
    for (const kv of list) this.pipeInput(kv.key, kv.value);
  }

  pipeValueList(values: readonly (V | null)[]): void {
    for (const value of values) this.pipeInput(null, value);
  }

  advanceTime(ms: number): void {
    this.currentTimeMs += ms;
  }
}
