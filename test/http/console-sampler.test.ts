import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrokerObserver, PartitionView } from '../../src/broker/broker-observer.js';
import type { OffsetCommitValue } from '../../src/broker/group-coordinator/core/group-record-codec.js';
import {
  ConsoleSampler,
  GROUP_PARTITIONS_MAX,
  GROUPS_MAX,
  SAMPLES_MAX,
} from '../../src/http/console/console-sampler.js';
import { KafkaMetrics } from '../../src/http/kafka-metrics.js';

/** An observer of one topic `t` with `partitions` partitions at high watermark 100, and groups' commits at `committed`. */
function observer(partitions: number, groups: () => Map<string, number>): BrokerObserver {
  const views: PartitionView[] = Array.from({ length: partitions }, (_, p) => ({
    topic: 't',
    partition: p,
    leaderId: 1,
    replicaCount: 1,
    isrCount: 1,
    minIsr: 1,
    log: { sizeBytes: 0, segmentCount: 1, logStartOffset: 0, logEndOffset: 100, highWatermark: 100 },
  }));
  return {
    forEachPartition: (visit: (p: PartitionView) => void) => views.forEach(visit),
    committedOffsets: function* () {
      for (const [group, offset] of groups()) {
        const offsets = new Map<number, OffsetCommitValue>();
        for (let p = 0; p < partitions; p++) offsets.set(p, { offset: BigInt(offset) } as OffsetCommitValue);
        yield [group, new Map([['t', offsets]])];
      }
    },
  } as unknown as BrokerObserver;
}

describe('ConsoleSampler', () => {
  it('turns the BrokerTopicMetrics counters into rates per second between samples', () => {
    const metrics = new KafkaMetrics();
    let now = 0;
    const sampler = new ConsoleSampler(
      metrics,
      () => null,
      () => now,
    );
    sampler.sample();
    metrics.bytesIn('a', 0, 5000, 50);
    metrics.bytesOut('a', 0, 2000);
    now = 5000;
    sampler.sample();
    assert.deepEqual(sampler.throughput(), [
      { t: 5000, bytesInPerSec: 1000, bytesOutPerSec: 400, messagesInPerSec: 10 },
    ]);
    assert.deepEqual(sampler.topicRates('a'), { bytesInPerSec: 1000, messagesInPerSec: 10 });
    assert.deepEqual(sampler.topicRates('b'), { bytesInPerSec: 0, messagesInPerSec: 0 });
    now = 5500;
    sampler.fresh(1000); // younger than a second: no new sample
    assert.equal(sampler.throughput().length, 1);
  });

  it('keeps each group lag per partition over time, in bounded windows', () => {
    const metrics = new KafkaMetrics();
    let now = 0;
    let committed = 40;
    const sampler = new ConsoleSampler(
      metrics,
      () => observer(2, () => new Map([['g', committed]])),
      () => now,
    );
    sampler.sample();
    committed = 100;
    now = 1000;
    sampler.sample();
    assert.deepEqual(sampler.groupLag('g'), [
      { t: 0, total: 120, partitions: { 't:0': 60, 't:1': 60 } },
      { t: 1000, total: 0, partitions: { 't:0': 0, 't:1': 0 } },
    ]);
    assert.equal(sampler.groupTotalLag('g'), 0);
    assert.equal(sampler.groupTotalLag('other'), null);
    for (let i = 0; i < SAMPLES_MAX + 10; i++) {
      now += 1000;
      sampler.sample();
    }
    assert.equal(sampler.groupLag('g').length, SAMPLES_MAX);
    assert.equal(sampler.throughput().length, SAMPLES_MAX - 1);
  });

  it('forgets the groups seen longest ago beyond GROUPS_MAX, and caps partitions per group', () => {
    const metrics = new KafkaMetrics();
    let now = 0;
    let names = Array.from({ length: GROUPS_MAX + 10 }, (_, i) => `old-${i}`);
    const sampler = new ConsoleSampler(
      metrics,
      () => observer(1, () => new Map(names.map((n) => [n, 0]))),
      () => now,
    );
    sampler.sample();
    names = ['new'];
    now = 1000;
    sampler.sample();
    assert.equal(sampler.groupLag('new').length, 1);
    const kept = Array.from({ length: GROUPS_MAX + 10 }, (_, i) => `old-${i}`).filter(
      (g) => sampler.groupLag(g).length > 0,
    );
    assert.equal(kept.length, GROUPS_MAX - 1);
    assert.equal(kept[0], 'old-11', 'the first groups seen went first');

    const wide = new ConsoleSampler(metrics, () =>
      observer(GROUP_PARTITIONS_MAX + 5, () => new Map([['g', 0]])),
    );
    wide.sample();
    const [point] = wide.groupLag('g');
    assert.equal(Object.keys(point!.partitions).length, GROUP_PARTITIONS_MAX);
    assert.equal(point!.total, (GROUP_PARTITIONS_MAX + 5) * 100, 'the total counts every partition');
  });
});
