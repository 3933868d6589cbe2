import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MetadataLogMovedError,
  MetadataLogTruncatedError,
  MetadataWriterFencedError,
} from '../../../src/metadata/metadata-log.js';
import { createTopic, etcdManager, imageOf, registerBroker } from './cluster-metadata.js';
import { FakeEtcd } from './fake-etcd.js';

/** Resolves once `m`'s listeners were told of a change: what a watching broker waits for. */
function nextChange(m: Awaited<ReturnType<typeof etcdManager>>): Promise<void> {
  return new Promise((resolve) => m.onChange(() => resolve()));
}

describe('EtcdMetadataLog with MetadataManager (in-memory etcd)', () => {
  it('applies records another broker appended, through the watch, in the same order', async () => {
    const etcd = new FakeEtcd();
    const m1 = await etcdManager(etcd.client());
    const m2 = await etcdManager(etcd.client());
    etcd.holdWatches = true;
    await m1.submit(() => registerBroker(1));
    assert.equal(await createTopic(m1, 'a'), 0);
    assert.equal(m2.image.topic('a'), undefined, 'nothing applied before the watch fires');
    const changed = nextChange(m2);
    etcd.releaseWatches();
    await changed;
    await m2.catchUp();
    assert.equal(m2.image.topic('a')?.partitions.size, 3);
    assert.deepEqual(imageOf(m2), imageOf(m1));
    assert.equal(m2.image.offset, m1.image.offset);
    await m1.close();
    await m2.close();
  });

  it('decides an operation again when another broker appended first, so both appends land', async () => {
    const etcd = new FakeEtcd();
    const m1 = await etcdManager(etcd.client());
    const m2 = await etcdManager(etcd.client());
    etcd.holdWatches = true;
    await m1.submit(() => registerBroker(1));
    // m2 has not read m1's registration: its first append must fail its compare-and-swap.
    const codes = await Promise.all([createTopic(m1, 'a'), createTopic(m2, 'b')]);
    assert.deepEqual(codes, [0, 0]);
    assert.ok(
      etcd.txns.some((t) => !t.succeeded),
      'one append lost the race and was retried',
    );
    await m1.catchUp();
    await m2.catchUp();
    assert.deepEqual(imageOf(m1), imageOf(m2));
    assert.deepEqual([...m1.image.topicsByName.keys()].sort(), ['a', 'b']);
    // The same name from two brokers at once: one creates it, the other hears it exists (36).
    const same = await Promise.all([createTopic(m1, 'c'), createTopic(m2, 'c', 3, 2)]);
    assert.deepEqual([...same].sort(), [0, 36]);
    await m1.catchUp();
    assert.deepEqual(imageOf(m1), imageOf(m2));
    await m1.close();
    await m2.close();
  });

  it('a broker started later replays the log, then the newest snapshot plus what follows it', async () => {
    const etcd = new FakeEtcd();
    const m1 = await etcdManager(etcd.client(), { snapshotAfterBytes: 600 });
    await m1.submit(() => registerBroker(1));
    for (let i = 0; i < 12; i++) assert.equal(await createTopic(m1, `t${i}`), 0);
    assert.ok(
      etcd.keys('/test/metadata/snapshot').includes('/test/metadata/snapshot'),
      'a snapshot pointer was written',
    );
    // Batches covered by an older snapshot are gone; only one snapshot's chunks remain.
    const batches = etcd.keys('/test/metadata/log/');
    assert.ok(batches.length < 13, `old batches dropped (${batches.length} left)`);
    assert.equal(new Set(etcd.keys('/test/metadata/snapshots/').map((k) => k.split('/')[4])).size, 1);
    const m2 = await etcdManager(etcd.client());
    assert.deepEqual(imageOf(m2), imageOf(m1));
    assert.equal(m2.image.offset, m1.image.offset);
    await m1.close();
    await m2.close();
  });

  it('a reader behind the records a snapshot dropped is told to restart, not given a gap', async () => {
    const etcd = new FakeEtcd();
    const m1 = await etcdManager(etcd.client(), { snapshotAfterBytes: 300 });
    await m1.submit(() => registerBroker(1));
    const m2 = await etcdManager(etcd.client());
    etcd.holdWatches = true;
    for (let i = 0; i < 8; i++) await createTopic(m1, `t${i}`);
    await assert.rejects(m2.catchUp(), MetadataLogTruncatedError);
    await m1.close();
    await m2.close();
  });

  it('a guarded append whose guard fails is refused without retrying; a moved head is retried', async () => {
    const etcd = new FakeEtcd();
    let leader = true;
    const key = Buffer.from('/test/controller');
    const m1 = await etcdManager(etcd.client(), {
      guard: () => [{ key, target: 'VERSION', result: leader ? 'EQUAL' : 'GREATER', revision: 0n }],
    });
    await m1.submit(() => registerBroker(1));
    leader = false;
    const before = etcd.txns.length;
    await assert.rejects(createTopic(m1, 'x'), MetadataWriterFencedError);
    assert.equal(etcd.txns.length, before + 1, 'a fenced writer does not retry');
    assert.equal(m1.image.topic('x'), undefined);
    assert.ok(new MetadataLogMovedError(0n).code === 'METADATA_LOG_MOVED');
    await m1.close();
  });

  it('an operation fails with etcd unreachable and succeeds once it is back', async () => {
    const etcd = new FakeEtcd();
    const m1 = await etcdManager(etcd.client());
    await m1.submit(() => registerBroker(1));
    etcd.unavailable = true;
    await assert.rejects(createTopic(m1, 'x'), { code: 'ETCD_UNAVAILABLE' });
    etcd.unavailable = false;
    assert.equal(await createTopic(m1, 'x'), 0);
    await m1.close();
  });
});
