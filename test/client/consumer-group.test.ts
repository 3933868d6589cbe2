import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Consumer, ConsumerConfig, ConsumerRecord, TopicPartition } from '../../src/client/index.js';
import { startGroupCluster, type TestCluster, uniqueTopic } from './client-helpers.js';

const FAST: ConsumerConfig = {
  autoOffsetReset: 'earliest',
  heartbeatIntervalMs: 100,
  sessionTimeoutMs: 6000,
  rebalanceTimeoutMs: 10_000,
};

const key = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`;

/** Polls every consumer side by side (members must poll for a rebalance to finish) until `done`. */
async function pollAll(
  consumers: Consumer[],
  done: (records: ConsumerRecord[][]) => boolean,
  rounds = 200,
): Promise<ConsumerRecord[][]> {
  const got: ConsumerRecord[][] = consumers.map(() => []);
  for (let i = 0; i < rounds && !done(got); i++) {
    const batches = await Promise.all(consumers.map((c) => c.poll({ timeoutMs: 100 })));
    batches.forEach((b, j) => {
      got[j]!.push(...b);
    });
  }
  return got;
}

function disjointCover(consumers: Consumer[], topic: string, partitions: number): boolean {
  const owned = consumers.flatMap((c) => c.assignment().map(key));
  return (
    owned.length === partitions &&
    new Set(owned).size === partitions &&
    owned.every((k) => k.startsWith(topic))
  );
}

describe('consumer groups', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startGroupCluster();
  });
  after(async () => {
    await cluster.close();
  });

  async function topicWith(partitions: number, records: number): Promise<string> {
    const topic = uniqueTopic('grp');
    const admin = cluster.kafka.admin();
    await admin.createTopics([{ topic, numPartitions: partitions }]);
    await admin.close();
    const producer = cluster.kafka.producer({ acks: 1 });
    await producer.sendBatch(
      topic,
      Array.from({ length: records }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    );
    await producer.close();
    return topic;
  }

  it('splits partitions between members, reads each record once, commits on close, and leaves', async () => {
    const topic = await topicWith(4, 200);
    const groupId = uniqueTopic('g1');
    const consumers = [0, 1].map(() => cluster.kafka.consumer({ ...FAST, groupId, assignors: ['range'] }));
    for (const c of consumers) c.subscribe(topic);
    const got = await pollAll(
      consumers,
      (g) =>
        g.flat().length >= 200 &&
        disjointCover(consumers, topic, 4) &&
        consumers.every((c) => c.assignment().length === 2),
    );
    const all = got.flat();
    assert.equal(all.length, 200);
    assert.equal(new Set(all.map((r) => `${r.partition}:${r.offset}`)).size, 200);
    assert.ok(disjointCover(consumers, topic, 4));
    assert.deepEqual(
      consumers.map((c) => c.assignment().length),
      [2, 2],
    );
    for (const c of consumers) await c.close();

    const admin = cluster.kafka.admin();
    const offsets = await admin.listGroupOffsets(groupId);
    const endOffsets = await admin.listOffsets(
      [0, 1, 2, 3].map((partition) => ({ topic, partition, timestamp: 'latest' })),
    );
    assert.deepEqual(
      offsets.map((o) => [o.partition, o.offset]).sort((a, b) => Number(a[0]) - Number(b[0])),
      endOffsets.map((o) => [o.partition, o.offset]).sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    const [described] = await admin.describeGroups([groupId]);
    assert.equal(described!.state, 'Empty');
    assert.deepEqual(described!.members, []);
    assert.ok((await admin.listGroups()).some((g) => g.groupId === groupId && g.protocolType === 'consumer'));
    await admin.deleteGroups([groupId]);
    assert.ok(!(await admin.listGroups()).some((g) => g.groupId === groupId));
    await admin.close();
  });

  it('rebalances as members join and leave, calling the listeners (eager: revoke all, then assign)', async () => {
    const topic = await topicWith(6, 0);
    const groupId = uniqueTopic('g2');
    const events: string[][] = [[], [], []];
    const make = (i: number) =>
      cluster.kafka.consumer({
        ...FAST,
        groupId,
        assignors: ['roundrobin'],
        rebalanceListener: {
          onPartitionsAssigned: (tps) => {
            events[i]!.push(`assigned:${tps.length}`);
          },
          onPartitionsRevoked: (tps) => {
            events[i]!.push(`revoked:${tps.length}`);
          },
        },
      });
    const a = make(0);
    a.subscribe([topic]);
    await pollAll([a], () => a.assignment().length === 6);
    assert.equal(a.assignment().length, 6);
    const b = make(1);
    const c = make(2);
    b.subscribe([topic]);
    c.subscribe([topic]);
    const trio = [a, b, c];
    await pollAll(
      trio,
      () => trio.every((x) => x.assignment().length === 2) && disjointCover(trio, topic, 6),
    );
    assert.ok(disjointCover(trio, topic, 6));
    // Eager: a gives everything up before each rebalance, then takes its new share (two members
    // may join in one rebalance or in two).
    assert.deepEqual(events[0]!.slice(0, 2), ['assigned:6', 'revoked:6']);
    assert.equal(events[0]!.at(-1), 'assigned:2');
    for (let i = 1; i < events[0]!.length; i += 2) assert.match(events[0]![i]!, /^revoked:/);
    await c.close();
    assert.equal(events[2]!.at(-1), 'revoked:2');
    const duo = [a, b];
    await pollAll(duo, () => duo.every((x) => x.assignment().length === 3));
    assert.ok(disjointCover(duo, topic, 6));
    for (const x of duo) await x.close();
  });

  it('cooperative-sticky moves only what must move and never gives a partition to two members', async () => {
    const topic = await topicWith(6, 0);
    const groupId = uniqueTopic('g3');
    const revoked: string[] = [];
    const a = cluster.kafka.consumer({
      ...FAST,
      groupId,
      assignors: ['cooperative-sticky'],
      rebalanceListener: {
        onPartitionsRevoked: (tps) => {
          revoked.push(...tps.map(key));
        },
      },
    });
    a.subscribe(topic);
    await pollAll([a], () => a.assignment().length === 6);
    const before = new Set(a.assignment().map(key));
    const b = cluster.kafka.consumer({ ...FAST, groupId, assignors: ['cooperative-sticky'] });
    b.subscribe(topic);
    let overlap = false;
    const pair = [a, b];
    for (let i = 0; i < 200 && !(a.assignment().length === 3 && b.assignment().length === 3); i++) {
      await Promise.all(pair.map((x) => x.poll({ timeoutMs: 100 })));
      const owned = pair.flatMap((x) => x.assignment().map(key));
      if (new Set(owned).size !== owned.length) overlap = true;
    }
    assert.equal(overlap, false);
    assert.deepEqual([a.assignment().length, b.assignment().length], [3, 3]);
    // a gave up exactly the three partitions b took, and kept the rest without a revocation.
    assert.equal(revoked.length, 3);
    assert.deepEqual(new Set(revoked), new Set(b.assignment().map(key)));
    for (const k of a.assignment().map(key)) assert.ok(before.has(k));
    for (const x of pair) await x.close();
  });

  it('commits manually (sync and async) and a new member resumes from the commits', async () => {
    const topic = await topicWith(1, 50);
    const groupId = uniqueTopic('g4');
    const first = cluster.kafka.consumer({ ...FAST, groupId, autoCommit: false, maxPollRecords: 20 });
    first.subscribe(topic);
    const [batch] = await pollAll([first], (g) => g[0]!.length > 0);
    const upTo = batch![batch!.length - 1]!.offset + 1n;
    await first.commitSync();
    const tp = { topic, partition: 0 };
    assert.equal((await first.committed([tp])).get(`${topic}-0`), upTo);
    await first.commitAsync([{ topic, partition: 0, offset: 30n }]);
    assert.equal((await first.committed([tp])).get(`${topic}-0`), 30n);
    await first.close();
    const second = cluster.kafka.consumer({ ...FAST, groupId, autoCommit: false });
    second.subscribe(topic);
    const [rest] = await pollAll([second], (g) => g[0]!.length >= 20);
    assert.equal(rest![0]!.offset, 30n);
    assert.equal(rest!.length, 20);
    await second.close();
  });

  it('starts from offsets an admin set for the group', async () => {
    const topic = await topicWith(1, 10);
    const groupId = uniqueTopic('g5');
    const admin = cluster.kafka.admin();
    await admin.alterGroupOffsets(groupId, [{ topic, partition: 0, offset: 7n }]);
    assert.deepEqual(
      (await admin.listGroupOffsets(groupId)).map((o) => o.offset),
      [7n],
    );
    await admin.close();
    const c = cluster.kafka.consumer({ ...FAST, groupId });
    c.subscribe(topic);
    const [got] = await pollAll([c], (g) => g[0]!.length >= 3);
    assert.deepEqual(
      got!.map((r) => r.offset),
      [7n, 8n, 9n],
    );
    await c.close();
  });

  it('leaves the group when max.poll.interval.ms passes without a poll; the partitions go to others and come back as lost', async () => {
    const topic = await topicWith(2, 0);
    const groupId = uniqueTopic('g6');
    const lost: string[] = [];
    const slow = cluster.kafka.consumer({
      ...FAST,
      groupId,
      maxPollIntervalMs: 300,
      rebalanceTimeoutMs: 10_000,
      rebalanceListener: {
        onPartitionsLost: (tps) => {
          lost.push(...tps.map(key));
        },
      },
    });
    const other = cluster.kafka.consumer({ ...FAST, groupId });
    slow.subscribe(topic);
    other.subscribe(topic);
    const pair = [slow, other];
    await pollAll(pair, () => disjointCover(pair, topic, 2) && slow.assignment().length === 1);
    assert.equal(slow.assignment().length, 1);
    // The slow member stops polling; the other keeps going and ends up with both partitions.
    await pollAll([other], () => other.assignment().length === 2);
    assert.equal(other.assignment().length, 2);
    await slow.poll({ timeoutMs: 100 });
    assert.equal(lost.length, 1);
    await pollAll(pair, () => slow.assignment().length === 1 && other.assignment().length === 1);
    assert.ok(disjointCover(pair, topic, 2));
    for (const x of pair) await x.close();
  });

  it('closes cleanly while a join is still running in the background', async () => {
    const topic = await topicWith(1, 0);
    const groupId = uniqueTopic('g7');
    const first = cluster.kafka.consumer({ ...FAST, groupId });
    first.subscribe(topic);
    await pollAll([first], () => first.assignment().length === 1);
    // A second member's join waits for the first to rejoin; a 1 ms poll leaves it in the background.
    const second = cluster.kafka.consumer({ ...FAST, groupId });
    second.subscribe(topic);
    assert.deepEqual(await second.poll({ timeoutMs: 1 }), []);
    await second.close();
    await assert.rejects(second.poll(), { code: 'CLIENT_CLOSED' });
    // The first member carries on alone.
    await pollAll([first], () => first.assignment().length === 1);
    assert.equal(first.assignment().length, 1);
    await first.close();
  });

  it('rejoins when a subscribed topic gains partitions, and consumes the new ones', async () => {
    const topic = await topicWith(1, 0);
    const groupId = uniqueTopic('g8');
    const { Kafka } = await import('../../src/client/index.js');
    const kafka = new Kafka({ ...cluster.kafka.config, metadataMaxAgeMs: 100 });
    const c = kafka.consumer({ ...FAST, groupId });
    c.subscribe(topic);
    await pollAll([c], () => c.assignment().length === 1);
    const admin = cluster.kafka.admin();
    await admin.createPartitions([{ topic, count: 3 }]);
    await admin.close();
    const producer = cluster.kafka.producer({ acks: 1 });
    await producer.send(topic, { value: 'on the new partition', partition: 2 });
    await producer.close();
    const [got] = await pollAll([c], (g) => g[0]!.some((r) => r.partition === 2));
    assert.equal(c.assignment().length, 3);
    assert.ok(got!.some((r) => r.partition === 2 && r.value?.toString() === 'on the new partition'));
    await c.close();
  });
});
