import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetadataRecord } from '../../src/metadata/controller/metadata-record.js';
import { decodeMetadataRecord, encodeMetadataRecord } from '../../src/metadata/metadata-record-serde.js';
import { ProtocolError } from '../../src/protocol/primitives/protocol-error.js';

describe('metadata record serde', () => {
  it('round-trips the records the controller writes', () => {
    const topicId = Buffer.alloc(16, 7).toString('base64url');
    const records: MetadataRecord[] = [
      { type: 'TopicRecord', data: { name: 't', topicId } },
      {
        type: 'PartitionRecord',
        data: {
          partitionId: 0,
          topicId,
          replicas: [1],
          isr: [1],
          removingReplicas: [],
          addingReplicas: [],
          leader: 1,
          leaderEpoch: 0,
          partitionEpoch: 0,
          leaderRecoveryState: 0,
          directories: ['AAAAAAAAAAAAAAAAAAAAAA'],
        },
      },
      {
        type: 'ConfigRecord',
        data: { resourceType: 2, resourceName: 't', name: 'retention.ms', value: null },
      },
      { type: 'RemoveTopicRecord', data: { topicId } },
    ];
    for (const rec of records) {
      const back = decodeMetadataRecord(encodeMetadataRecord(rec));
      assert.equal(back.type, rec.type);
      for (const [k, v] of Object.entries(rec.data))
        assert.deepEqual((back.data as Record<string, unknown>)[k], v, k);
    }
  });

  it('frames records as Kafka does: frame version, type, version', () => {
    const bytes = encodeMetadataRecord({
      type: 'TopicRecord',
      data: { name: 'a', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
    });
    assert.deepEqual([...bytes.subarray(0, 3)], [1, 2, 0]);
  });

  it('rejects unknown types and garbage with ProtocolError', () => {
    for (const b of [
      Buffer.from([1, 99, 0]),
      Buffer.from([2, 2, 0]),
      Buffer.from([1, 2, 0, 5]),
      Buffer.alloc(0),
    ]) {
      assert.throws(() => decodeMetadataRecord(b), ProtocolError);
    }
  });
});
