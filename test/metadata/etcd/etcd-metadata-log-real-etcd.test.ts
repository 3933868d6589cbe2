import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { noopLogger } from '../../../src/common/logger.js';
import { EtcdHttpClient } from '../../../src/metadata/etcd/etcd-http-client.js';
import { type EtcdProcess, startEtcd } from '../../helpers/etcd-process.js';
import { createTopic, etcdManager, imageOf, registerBroker } from './cluster-metadata.js';

describe('EtcdMetadataLog on a real etcd', () => {
  let etcd: EtcdProcess;
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });
  const client = () => new EtcdHttpClient([etcd.endpoint], noopLogger);

  it('two brokers append concurrently and converge on one image, through the watch', async () => {
    const m1 = await etcdManager(client(), { snapshotAfterBytes: 2000 });
    const m2 = await etcdManager(client(), { snapshotAfterBytes: 2000 });
    await m1.submit(() => registerBroker(1));
    const seen = new Promise<void>((resolve) =>
      m2.onChange(() => {
        if (m2.image.topic('w')) resolve();
      }),
    );
    const codes = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => createTopic(m1, `a${i}`)),
      ...Array.from({ length: 5 }, (_, i) => createTopic(m2, `b${i}`)),
    ]);
    assert.deepEqual(codes, Array(10).fill(0));
    await createTopic(m1, 'w');
    await seen; // m2 learnt of `w` from etcd's watch, without asking
    await m2.catchUp();
    assert.deepEqual(imageOf(m2), imageOf(m1));
    assert.equal(m1.image.topicsByName.size, 11);
    const pointer = await client().range({ key: Buffer.from('/test/metadata/snapshot') });
    assert.equal(pointer.kvs.length, 1, 'the appends passed the snapshot threshold');
    await m1.close();
    await m2.close();

    // A third broker starting now replays snapshot plus log to the same image.
    const m3 = await etcdManager(client());
    assert.deepEqual(imageOf(m3), imageOf(m1));
    assert.equal(m3.image.offset, m1.image.offset);
    await m3.close();
  });

  it('names etcd when it cannot be reached', async () => {
    const dead = new EtcdHttpClient(['http://127.0.0.1:9'], noopLogger, 500);
    await assert.rejects(
      dead.range({ key: Buffer.from('/x') }),
      /etcd not reachable at http:\/\/127.0.0.1:9/,
    );
  });
});
