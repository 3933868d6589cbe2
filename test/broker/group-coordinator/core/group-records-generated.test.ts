import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeGroupMetadataValue,
  encodeOffsetCommitValue,
  type GroupMetadataValue,
  type GroupRecord,
  groupRecordCodec,
  type OffsetCommitValue,
} from '../../../../src/broker/group-coordinator/core/group-records.js';
import * as generated from '../../../../src/protocol/generated/records/group-coordinator/index.js';

// The hand-written record codec must write the same bytes as the codecs generated from the same
// specs, so that swapping one for the other changes nothing in __consumer_offsets. The generated
// codecs encode the body; the log holds the int16 version first.

const value: GroupMetadataValue = {
  protocolType: 'consumer',
  generation: 12,
  protocol: 'cooperative-sticky',
  leader: 'leader-1',
  currentStateTimestamp: 1_700_000_123_456n,
  members: [
    {
      memberId: 'leader-1',
      groupInstanceId: 'pod-0',
      clientId: 'app',
      clientHost: '/10.1.2.3',
      rebalanceTimeout: 300_000,
      sessionTimeout: 45_000,
      subscription: Buffer.from('sub'),
      assignment: Buffer.from('assign'),
    },
  ],
};

const offset: OffsetCommitValue = {
  offset: 9_007_199_254_740_993n,
  leaderEpoch: 4,
  metadata: 'é',
  commitTimestamp: 1_700_000_000_000n,
  expireTimestamp: 1_700_086_400_000n,
};

function prefixed(version: number, body: Buffer): Buffer {
  const v = Buffer.alloc(2);
  v.writeInt16BE(version);
  return Buffer.concat([v, body]);
}

describe('group records match the generated codecs', () => {
  for (let version = 0; version <= 4; version++) {
    it(`GroupMetadataValue v${version}`, () => {
      const ours = encodeGroupMetadataValue(value, version);
      assert.deepEqual(ours, prefixed(version, generated.GroupMetadataValue.encode(version, value)));
    });
    it(`OffsetCommitValue v${version}`, () => {
      const ours = encodeOffsetCommitValue(offset, version);
      assert.deepEqual(ours, prefixed(version, generated.OffsetCommitValue.encode(version, offset)));
    });
  }

  it('keys', () => {
    const gm: GroupRecord = { type: 'GroupMetadata', key: { group: 'orders' }, value: null };
    assert.deepEqual(
      groupRecordCodec.encode(gm).key,
      prefixed(2, generated.GroupMetadataKey.encode(2, { group: 'orders' })),
    );
    const key = { group: 'orders', topic: 'payments', partition: 17 };
    const oc: GroupRecord = { type: 'OffsetCommit', key, value: null };
    assert.deepEqual(groupRecordCodec.encode(oc).key, prefixed(1, generated.OffsetCommitKey.encode(1, key)));
  });
});
