import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrokerObserver, PartitionView } from '../../src/broker/broker-observer.js';
import type { OffsetCommitValue } from '../../src/broker/group-coordinator/core/group-record-codec.js';
import { KafkaMetrics } from '../../src/http/kafka-metrics.js';
import { MetricsRegistry } from '../../src/http/metrics-registry.js';
import { PARTITIONS_PER_SLICE, takeSnapshot } from '../../src/http/scrape-snapshot.js';

/** An observer of the topics in `topics` (name to partition count), each partition's log end at its index. */
function observer(topics: Map<string, number>, committed: Map<string, number> = new Map()): BrokerObserver {
  const views = (): PartitionView[] =>
    [...topics].flatMap(([topic, n]) =>
      Array.from({ length: n }, (_, partition) => ({
        topic,
        partition,
        leaderId: 1,
        replicaCount: 1,
        isrCount: 1,
        minIsr: 1,
        log: {
          sizeBytes: partition * 10,
          segmentCount: 1,
          logStartOffset: 0,
          logEndOffset: partition,
          highWatermark: partition,
        },
      })),
    );
  return {
    nodeId: 1,
    clusterId: 'c',
    partitions: () => views()[Symbol.iterator](),
    hasTopic: (t: string) => topics.has(t),
    clusterPartitions: () => ({ topics: topics.size, partitions: views().length, offline: 0 }),
    isActiveController: () => true,
    logDirs: () => [],
    purgatorySizes: () => ({ Produce: 0, Fetch: 0 }),
    connectionCountByListener: () => new Map(),
    quotas: () => [],
    committedOffsets: function* () {
      for (const [topic, offset] of committed) {
        const offsets = new Map([[1, { offset: BigInt(offset) } as OffsetCommitValue]]);
        yield ['g', new Map([[topic, offsets]])];
      }
    },
  } as unknown as BrokerObserver;
}

/** How many times other work ran while `work` was under way. */
async function turnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let working = true;
  const ticker = (async () => {
    while (working) {
      await new Promise((r) => setImmediate(r));
      turns++;
    }
  })();
  await work();
  working = false;
  await ticker;
  return turns;
}

describe('a scrape of many partitions', () => {
  it('reads the partitions in slices, letting other work run between them', async () => {
    const o = observer(new Map([['t', PARTITIONS_PER_SLICE * 5]]), new Map([['t', 1]]));
    let snapshot: Awaited<ReturnType<typeof takeSnapshot>> | undefined;
    const turns = await turnsDuring(async () => {
      snapshot = await takeSnapshot(o);
    });
    assert.ok(turns >= 4, `other work ran ${turns} times while the partitions were read`);
    assert.equal(snapshot!.partitions.length, PARTITIONS_PER_SLICE * 5);
    assert.equal(snapshot!.replicas.leaders, PARTITIONS_PER_SLICE * 5);
    assert.deepEqual(snapshot!.lag, [
      { group: 'g', topic: 't', partition: 1, offset: 1, lag: 0, latest: 1, earliest: 0 },
    ]);
  });

  it('writes the same per-partition samples on every scrape, and none of a deleted topic', async () => {
    const topics = new Map([
      ['a', 3],
      ['b', 2],
    ]);
    const registry = new MetricsRegistry(new KafkaMetrics(), () => observer(topics));
    const sizes = async () =>
      (await registry.text()).split('\n').filter((l) => l.startsWith('kafka_log_log_size{'));
    const first = await sizes();
    assert.deepEqual(first, [
      'kafka_log_log_size{topic="a",partition="0"} 0',
      'kafka_log_log_size{topic="a",partition="1"} 10',
      'kafka_log_log_size{topic="a",partition="2"} 20',
      'kafka_log_log_size{topic="b",partition="0"} 0',
      'kafka_log_log_size{topic="b",partition="1"} 10',
    ]);
    assert.deepEqual(await sizes(), first);
    topics.delete('a');
    topics.set('c', 1);
    assert.deepEqual(await sizes(), [
      'kafka_log_log_size{topic="b",partition="0"} 0',
      'kafka_log_log_size{topic="b",partition="1"} 10',
      'kafka_log_log_size{topic="c",partition="0"} 0',
    ]);
  });
});
