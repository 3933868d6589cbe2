import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { noopLogger } from '../../src/common/logger.js';
import { SeededRandom } from '../../src/common/random.js';
import { createTopics } from '../../src/metadata/controller/create-topics.js';
import { LocalMetadataLog } from '../../src/metadata/local-metadata-log.js';
import { MetadataManager } from '../../src/metadata/metadata-manager.js';

describe('LocalMetadataLog with MetadataManager', () => {
  it('makes topics durable and rebuilds the same image on restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strom-meta-'));
    try {
      const m1 = new MetadataManager(LocalMetadataLog.open(dir, noopLogger), noopLogger);
      await m1.load();
      m1.image.applyBroker({
        brokerId: 1,
        incarnationId: 'x',
        brokerEpoch: 1n,
        endPoints: [],
        rack: null,
        fenced: false,
        inControlledShutdown: false,
      });
      const random = new SeededRandom(1);
      const res = await m1.submit((image) =>
        createTopics(
          image,
          [
            {
              name: 'a',
              numPartitions: 3,
              replicationFactor: 1,
              assignments: [],
              configs: [{ name: 'retention.ms', value: '10' }],
            },
            { name: 'b', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
          ],
          { numPartitions: 1, replicationFactor: 1 },
          false,
          random,
        ),
      );
      assert.deepEqual(
        res.map((r) => r.errorCode),
        [0, 0],
      );
      await m1.close();

      const m2 = new MetadataManager(LocalMetadataLog.open(dir, noopLogger), noopLogger);
      await m2.load();
      assert.deepEqual([...m2.image.topicsByName.keys()].sort(), ['a', 'b']);
      assert.equal(m2.image.topic('a')!.partitions.size, 3);
      assert.equal(m2.image.topic('a')!.topicId, res[0]!.topicId);
      assert.equal(m2.image.configsOf(2, 'a').get('retention.ms'), '10');
      assert.equal(m2.image.offset, m1.image.offset);
      await m2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('metadata snapshots', () => {
  it('snapshots the image once enough bytes were appended, and restarts from snapshot plus tail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strom-meta-snap-'));
    try {
      const open = () => new MetadataManager(LocalMetadataLog.open(dir, noopLogger), noopLogger, 2000);
      const m1 = open();
      await m1.load();
      m1.image.applyBroker({
        brokerId: 1,
        incarnationId: 'AAAAAAAAAAAAAAAAAAAAAQ',
        brokerEpoch: 1n,
        endPoints: [],
        rack: null,
        fenced: false,
        inControlledShutdown: false,
      });
      const random = new SeededRandom(7);
      const create = (m: MetadataManager, name: string) =>
        m.submit((image) =>
          createTopics(
            image,
            [{ name, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
            { numPartitions: 1, replicationFactor: 1 },
            false,
            random,
          ),
        );
      for (let i = 0; i < 40; i++) await create(m1, `t${i}`);
      const snapshots = readdirSync(join(dir, '__cluster_metadata-0')).filter((f) =>
        f.endsWith('.checkpoint'),
      );
      assert.equal(snapshots.length, 1, 'one snapshot kept');
      const expected = [...m1.image.topicsByName.values()]
        .map((t) => [t.name, t.topicId, t.partitions.size])
        .sort();
      await m1.close();

      const m2 = open();
      await m2.load();
      const actual = [...m2.image.topicsByName.values()]
        .map((t) => [t.name, t.topicId, t.partitions.size])
        .sort();
      assert.deepEqual(actual, expected);
      assert.equal(m2.image.offset, m1.image.offset);
      await create(m2, 'after-restart');
      assert.ok(m2.image.topic('after-restart'));
      await m2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
