import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyMetadataRecord } from '../../../src/metadata/apply-metadata-record.js';
import { imbalancedPartitions } from '../../../src/metadata/controller/leader-imbalance.js';
import { MetadataImage } from '../../../src/metadata/metadata-image.js';

function image(partitions: { replicas: number[]; isr: number[]; leader: number }[], fenced: number[] = []) {
  const img = new MetadataImage();
  for (const id of [1, 2, 3])
    applyMetadataRecord(img, {
      type: 'RegisterBrokerRecord',
      data: {
        brokerId: id,
        incarnationId: 'AAAAAAAAAAAAAAAAAAAAAQ',
        brokerEpoch: BigInt(id),
        endPoints: [],
        features: [],
        rack: null,
        fenced: fenced.includes(id),
        inControlledShutdown: false,
      },
    });
  applyMetadataRecord(img, { type: 'TopicRecord', data: { name: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAg' } });
  partitions.forEach((p, partitionId) => {
    applyMetadataRecord(img, {
      type: 'PartitionRecord',
      data: {
        partitionId,
        topicId: 'AAAAAAAAAAAAAAAAAAAAAg',
        replicas: p.replicas,
        isr: p.isr,
        removingReplicas: [],
        addingReplicas: [],
        leader: p.leader,
        leaderEpoch: 1,
        partitionEpoch: 1,
        leaderRecoveryState: 0,
        directories: [],
      },
    });
  });
  return img;
}

describe('imbalancedPartitions (auto.leader.rebalance.enable)', () => {
  it("returns a broker's preferred partitions led elsewhere once past the percentage, if it is in their ISR", () => {
    const img = image([
      { replicas: [1, 2, 3], isr: [1, 2, 3], leader: 2 },
      { replicas: [1, 3, 2], isr: [3, 2], leader: 3 },
      { replicas: [2, 3, 1], isr: [2, 3, 1], leader: 2 },
      { replicas: [3, 1, 2], isr: [3, 1, 2], leader: 3 },
    ]);
    // Broker 1 prefers 2 partitions and leads neither (100 %): partition 0 moves back; partition 1
    // cannot, broker 1 is not in its ISR.
    assert.deepEqual(imbalancedPartitions(img, 10), [{ topic: 't', partitions: [0] }]);
    assert.deepEqual(imbalancedPartitions(img, 100), [], 'at or under the percentage: left alone');
  });

  it('leaves a fenced preferred replica alone', () => {
    const img = image([{ replicas: [1, 2, 3], isr: [1, 2, 3], leader: 2 }], [1]);
    assert.deepEqual(imbalancedPartitions(img, 10), []);
  });
});
