import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  encodeGroupMetadataValue,
  encodeOffsetCommitValue,
  type GroupMetadataValue,
  type GroupRecord,
  groupRecordCodec,
} from '../../../../src/broker/group-coordinator/core/group-record-codec.js';
import { ProtocolError } from '../../../../src/protocol/primitives/protocol-error.js';

const metadata: GroupMetadataValue = {
  protocolType: 'consumer',
  generation: 7,
  protocol: 'range',
  leader: 'm1',
  currentStateTimestamp: 1_700_000_000_123n,
  members: [
    {
      memberId: 'm1',
      groupInstanceId: 'i1',
      clientId: 'c1',
      clientHost: '/10.0.0.1',
      rebalanceTimeout: 30000,
      sessionTimeout: 10000,
      subscription: Buffer.from([1, 2, 3]),
      assignment: Buffer.from([4, 5]),
    },
    {
      memberId: 'm2',
      groupInstanceId: null,
      clientId: 'c2',
      clientHost: '/10.0.0.2',
      rebalanceTimeout: 45000,
      sessionTimeout: 6000,
      subscription: Buffer.alloc(0),
      assignment: Buffer.alloc(0),
    },
  ],
};

/** What a version keeps of a value: fields it lacks come back as their defaults. */
function atVersion(v: GroupMetadataValue, version: number): GroupMetadataValue {
  return {
    ...v,
    currentStateTimestamp: version >= 2 ? v.currentStateTimestamp : -1n,
    members: v.members.map((m) => ({
      ...m,
      groupInstanceId: version >= 3 ? m.groupInstanceId : null,
      rebalanceTimeout: version >= 1 ? m.rebalanceTimeout : -1,
    })),
  };
}

describe('GroupMetadataValue', () => {
  for (let version = 0; version <= 4; version++) {
    it(`round-trips version ${version}`, () => {
      const bytes = encodeGroupMetadataValue(metadata, version);
      assert.equal(bytes.readInt16BE(0), version);
      assert.deepEqual(decodeGroupMetadataValue(bytes), atVersion(metadata, version));
    });
  }

  it('encodes version 3 field by field as the spec orders them', () => {
    const v: GroupMetadataValue = {
      protocolType: 'c',
      generation: 1,
      protocol: null,
      leader: null,
      currentStateTimestamp: 2n,
      members: [],
    };
    assert.equal(
      encodeGroupMetadataValue(v, 3).toString('hex'),
      ['0003', '000163', '00000001', 'ffff', 'ffff', '0000000000000002', '00000000'].join(''),
    );
  });

  it('encodes version 4 with compact fields and tagged-field sections', () => {
    const v: GroupMetadataValue = { ...metadata, members: [] };
    const hex = encodeGroupMetadataValue(v, 4).toString('hex');
    // version, compact "consumer", generation 7, compact "range", compact "m1", timestamp, empty compact array, no tags
    assert.ok(hex.startsWith(`0004 09${Buffer.from('consumer').toString('hex')} 00000007`.replace(/ /g, '')));
    assert.ok(hex.endsWith('0100'));
  });

  it('rejects truncated and trailing bytes with a position', () => {
    const bytes = encodeGroupMetadataValue(metadata);
    assert.throws(
      () => decodeGroupMetadataValue(bytes.subarray(0, bytes.length - 1)),
      (e: unknown) => e instanceof ProtocolError && e.position >= 0,
    );
    assert.throws(
      () => decodeGroupMetadataValue(Buffer.concat([bytes, Buffer.from([0])])),
      (e: unknown) => e instanceof ProtocolError && e.code === 'TRAILING_BYTES',
    );
    assert.throws(
      () => decodeGroupMetadataValue(Buffer.from([0, 9])),
      (e: unknown) => e instanceof ProtocolError && e.code === 'UNSUPPORTED_VERSION',
    );
  });
});

describe('OffsetCommitValue', () => {
  const value = {
    offset: 1234567890123n,
    leaderEpoch: 5,
    metadata: 'meta',
    commitTimestamp: 99n,
    expireTimestamp: -1n,
  };

  for (let version = 0; version <= 4; version++) {
    it(`round-trips version ${version}`, () => {
      const v = { ...value, expireTimestamp: version === 1 ? 500n : -1n };
      const decoded = decodeOffsetCommitValue(encodeOffsetCommitValue(v, version));
      assert.deepEqual(decoded, { ...v, leaderEpoch: version >= 3 ? 5 : -1 });
    });
  }

  it('writes version 3, or version 1 when the commit has its own expiry', () => {
    assert.equal(encodeOffsetCommitValue(value).readInt16BE(0), 3);
    assert.equal(encodeOffsetCommitValue({ ...value, expireTimestamp: 7n }).readInt16BE(0), 1);
  });

  it('encodes version 3 exactly', () => {
    const hex = encodeOffsetCommitValue({ ...value, offset: 16n, metadata: '' }, 3).toString('hex');
    assert.equal(hex, ['0003', '0000000000000010', '00000005', '0000', '0000000000000063'].join(''));
  });
});

describe('group record codec', () => {
  const records: GroupRecord[] = [
    { type: 'GroupMetadata', key: { group: 'g' }, value: metadata },
    { type: 'GroupMetadata', key: { group: 'g' }, value: null },
    {
      type: 'OffsetCommit',
      key: { group: 'g', topic: 't', partition: 3 },
      value: { offset: 42n, leaderEpoch: -1, metadata: '', commitTimestamp: 5n, expireTimestamp: -1n },
    },
    { type: 'OffsetCommit', key: { group: 'g', topic: 't', partition: 3 }, value: null },
  ];

  for (const r of records) {
    it(`round-trips ${r.type}${r.value === null ? ' tombstone' : ''}`, () => {
      const encoded = groupRecordCodec.encode(r);
      assert.equal(encoded.value === null, r.value === null);
      assert.deepEqual(groupRecordCodec.decode(encoded), r);
    });
  }

  it('writes keys with Kafka key versions: OffsetCommitKey v1, GroupMetadataKey v2', () => {
    assert.equal(groupRecordCodec.encode(records[0]!).key.toString('hex'), '0002000167');
    assert.equal(groupRecordCodec.encode(records[2]!).key.toString('hex'), '00010001670001740000000' + '3');
  });

  it('reads OffsetCommitKey version 0 too', () => {
    const key = Buffer.from('00000001670001740000000a', 'hex');
    const r = groupRecordCodec.decode({ key, value: null });
    assert.deepEqual(r, {
      type: 'OffsetCommit',
      key: { group: 'g', topic: 't', partition: 10 },
      value: null,
    });
  });

  it('refuses consumer-group (KIP-848) keys', () => {
    assert.throws(
      () => groupRecordCodec.decode({ key: Buffer.from('0003', 'hex'), value: null }),
      ProtocolError,
    );
  });
});
