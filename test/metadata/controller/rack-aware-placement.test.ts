import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom } from '../../../src/common/random.js';
import { applyMetadataRecord } from '../../../src/metadata/apply-metadata-record.js';
import { createPartitions } from '../../../src/metadata/controller/create-partitions.js';
import { createTopics } from '../../../src/metadata/controller/create-topics.js';
import { placeReplicas } from '../../../src/metadata/controller/replica-placement.js';
import { MetadataImage } from '../../../src/metadata/metadata-image.js';

/** Brokers 1..6: racks a (1, 2), b (3, 4), c (5, 6). */
const RACKS: Record<number, string> = { 1: 'a', 2: 'a', 3: 'b', 4: 'b', 5: 'c', 6: 'c' };
const rackOf = (id: number): string | null => RACKS[id] ?? null;
const count = (xs: number[]): Map<number, number> => {
  const m = new Map<number, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
};

describe('rack-aware replica placement (broker.rack)', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`puts each partition's replicas in distinct racks and spreads leaders evenly (seed ${seed})`, () => {
      const placed = placeReplicas([1, 2, 3, 4, 5, 6], 0, 12, 3, new SeededRandom(seed), rackOf)!;
      for (const replicas of placed) {
        assert.equal(new Set(replicas).size, 3);
        assert.deepEqual(new Set(replicas.map(rackOf)), new Set(['a', 'b', 'c']), `racks of ${replicas}`);
      }
      const leaders = count(placed.map((r) => r[0]!));
      assert.deepEqual([...leaders.values()], [2, 2, 2, 2, 2, 2], 'each broker leads 2 of 12');
      for (const rf of [1, 2]) {
        const fewer = placeReplicas([1, 2, 3, 4, 5, 6], 0, 6, rf, new SeededRandom(seed), rackOf)!;
        for (const replicas of fewer) assert.equal(new Set(replicas.map(rackOf)).size, rf);
      }
    });
  }

  it('with more replicas than racks, fills racks again with distinct brokers', () => {
    const twoRacks = (id: number) => (id <= 2 ? 'x' : 'y');
    const placed = placeReplicas([1, 2, 3, 4], 0, 8, 3, new SeededRandom(7), twoRacks)!;
    for (const replicas of placed) {
      assert.equal(new Set(replicas).size, 3);
      assert.equal(new Set(replicas.map(twoRacks)).size, 2);
    }
  });

  it('refuses a replication factor above the brokers, racks or not', () => {
    assert.equal(placeReplicas([1, 2], 0, 1, 3, new SeededRandom(1), rackOf), null);
  });

  it('CreateTopics and CreatePartitions place by the racks the brokers registered', () => {
    const image = new MetadataImage();
    for (const id of [1, 2, 3, 4, 5, 6]) {
      image.applyBroker({
        brokerId: id,
        incarnationId: 'x',
        brokerEpoch: 1n,
        endPoints: [],
        rack: rackOf(id),
        fenced: false,
        inControlledShutdown: false,
      });
    }
    const created = createTopics(
      image,
      [{ name: 't', numPartitions: 3, replicationFactor: 3, assignments: [], configs: [] }],
      { numPartitions: 1, replicationFactor: 1 },
      false,
      new SeededRandom(3),
    );
    for (const r of created.records) applyMetadataRecord(image, r);
    const more = createPartitions(
      image,
      [{ name: 't', count: 6, assignments: null }],
      false,
      new SeededRandom(4),
    );
    for (const r of more.records) applyMetadataRecord(image, r);
    const partitions = [...image.topic('t')!.partitions.values()];
    assert.equal(partitions.length, 6);
    for (const p of partitions) assert.deepEqual(new Set(p.replicas.map(rackOf)), new Set(['a', 'b', 'c']));
  });
});
