import type { Kafka, TopicPartition } from '../../client/index.js';
import type { ChangelogRecord } from '../state/state-store.js';
import type { StreamTask } from './stream-task.js';

/**
 * Replays a task's changelogs into its stores before it processes, as Kafka's StoreChangelogReader:
 * partition `task.partition` of each changelog from its beginning to its end as of now (the last
 * stable offset under exactly_once_v2, so aborted writes are never restored). Returns the number
 * of changelog records replayed.
 */
export async function restoreTask(kafka: Kafka, task: StreamTask, readCommitted: boolean): Promise<number> {
  const changelogs = task.changelogTopics();
  if (changelogs.length === 0) return 0;
  const consumer = kafka.consumer({
    isolationLevel: readCommitted ? 'read_committed' : 'read_uncommitted',
    autoOffsetReset: 'earliest',
    maxPollRecords: 10_000,
  });
  let restored = 0;
  try {
    const tps: TopicPartition[] = changelogs.map((c) => ({ topic: c.topic, partition: task.id.partition }));
    consumer.assign(tps);
    await consumer.seekToEnd(tps);
    const ends = new Map(tps.map((tp) => [tp.topic, consumer.position(tp) ?? 0n]));
    await consumer.seekToBeginning(tps);
    const storeOf = new Map(changelogs.map((c) => [c.topic, c.store]));
    const done = (): boolean => tps.every((tp) => (consumer.position(tp) ?? 0n) >= ends.get(tp.topic)!);
    while (!done()) {
      const records = await consumer.poll({ timeoutMs: 500 });
      const batches = new Map<string, ChangelogRecord[]>();
      for (const r of records) {
        if (r.key === null) continue;
        let batch = batches.get(r.topic);
        if (!batch) {
          batch = [];
          batches.set(r.topic, batch);
        }
        batch.push({ key: r.key, value: r.value, timestampMs: Number(r.timestamp) });
      }
      for (const [topic, batch] of batches) {
        task.restore(storeOf.get(topic)!, batch);
        restored += batch.length;
      }
    }
  } finally {
    await consumer.close();
  }
  return restored;
}
