import type { Header } from '../processor/stream-record.js';
import type { Serde } from '../serdes.js';
import type { KeyValue } from '../state/key-value-store.js';
import { StreamsError } from '../streams-error.js';

/** A record written by the topology, as TestOutputTopic reads it. */
export interface TestRecord<K, V> {
  key: K | null;
  value: V | null;
  timestamp: number;
  headers: Header[];
}

/** What a TestOutputTopic reads from: the TopologyTestDriver's captured output. */
export interface OutputQueues {
  takeOutput(
    topic: string,
  ): { key: Buffer | null; value: Buffer | null; timestamp: number; headers: readonly Header[] } | undefined;
  outputSize(topic: string): number;
}

/** Kafka's TestOutputTopic: reads and deserializes what the topology wrote to a topic, in order. */
export class TestOutputTopic<K, V> {
  /** @internal */
  constructor(
    private readonly driver: OutputQueues,
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {}

  readRecord(): TestRecord<K, V> {
    const record = this.driver.takeOutput(this.topic);
    if (!record) throw new StreamsError('ILLEGAL_STATE', `Empty topic: ${this.topic}`);
    return {
      key: this.keySerde.deserialize(this.topic, record.key),
      value: this.valueSerde.deserialize(this.topic, record.value),
      timestamp: record.timestamp,
      headers: [...record.headers],
    };
  }

  readValue(): V | null {
    return this.readRecord().value;
  }

  readKeyValue(): KeyValue<K | null, V | null> {
    const r = this.readRecord();
    return { key: r.key, value: r.value };
  }

  readRecordsToList(): TestRecord<K, V>[] {
    const out: TestRecord<K, V>[] = [];
    while (!this.isEmpty()) out.push(this.readRecord());
    return out;
  }

  readKeyValuesToList(): KeyValue<K | null, V | null>[] {
    return this.readRecordsToList().map((r) => ({ key: r.key, value: r.value }));
  }

  readValuesToList(): (V | null)[] {
    return this.readRecordsToList().map((r) => r.value);
  }

  /** The last value per key; a null value removes the key, as Kafka's readKeyValuesToMap. */
  readKeyValuesToMap(): Map<K, V> {
    const out = new Map<K, V>();
    for (const r of this.readRecordsToList()) {
      if (r.key === null)
        throw new StreamsError('ILLEGAL_STATE', 'Null keys not allowed with readKeyValuesToMap method');
      if (r.value === null) out.delete(r.key);
      else out.set(r.key, r.value);
    }
    return out;
  }

  getQueueSize(): number {
    return this.driver.outputSize(this.topic);
  }

  isEmpty(): boolean {
    return this.getQueueSize() === 0;
  }
}
