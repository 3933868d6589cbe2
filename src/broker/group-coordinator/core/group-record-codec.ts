import { GroupMetadataKey } from '../../../protocol/generated/records/group-coordinator/group-metadata-key.js';
import {
  GroupMetadataValue,
  type GroupMetadataValueMemberMetadata,
} from '../../../protocol/generated/records/group-coordinator/group-metadata-value.js';
import { OffsetCommitKey } from '../../../protocol/generated/records/group-coordinator/offset-commit-key.js';
import { OffsetCommitValue } from '../../../protocol/generated/records/group-coordinator/offset-commit-value.js';
import { ProtocolError } from '../../../protocol/primitives/protocol-error.js';
import { Reader } from '../../../protocol/primitives/reader.js';
import { decodeVersionPrefixed, encodeVersionPrefixed } from '../../../protocol/versioned-data.js';

// The records the classic group coordinator keeps in __consumer_offsets, in the generated types
// and codecs of Kafka's group-coordinator specs. Key and value are each an int16 version followed
// by the fields; a null value is a tombstone. The key version tells the record type apart: 0 and 1
// are OffsetCommitKey, 2 is GroupMetadataKey.

export type { GroupMetadataKey, GroupMetadataValue, OffsetCommitKey, OffsetCommitValue };
export type GroupMetadataMember = GroupMetadataValueMemberMetadata;

/** One __consumer_offsets record, decoded; `value: null` is a tombstone. */
export type GroupRecord =
  | {
      readonly type: 'GroupMetadata';
      readonly key: GroupMetadataKey;
      readonly value: GroupMetadataValue | null;
    }
  | {
      readonly type: 'OffsetCommit';
      readonly key: OffsetCommitKey;
      readonly value: OffsetCommitValue | null;
    };

/** A record as bytes, the way the log stores it. */
export interface EncodedGroupRecord {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

/** Turns group records into log bytes and back. */
export interface GroupRecordCodec {
  encode(record: GroupRecord): EncodedGroupRecord;
  decode(record: EncodedGroupRecord): GroupRecord;
}

/** The versions Kafka 3.x writes: OffsetCommitKey v1, GroupMetadataKey v2, GroupMetadataValue v3, OffsetCommitValue v3 (v1 with an expire timestamp). */
const OFFSET_COMMIT_KEY_VERSION = 1;
const GROUP_METADATA_KEY_VERSION = 2;
const GROUP_METADATA_VALUE_VERSION = 3;
const OFFSET_COMMIT_VALUE_VERSION = 3;
const OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRE = 1;

export function encodeGroupMetadataValue(
  v: GroupMetadataValue,
  version = GROUP_METADATA_VALUE_VERSION,
): Buffer {
  return encodeVersionPrefixed(GroupMetadataValue, version, v);
}

export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue {
  const value = decodeVersionPrefixed(GroupMetadataValue, buf).body;
  // The decoder returns views of the bytes read from the log; copies let that read buffer go.
  for (const m of value.members) {
    m.subscription = Buffer.from(m.subscription);
    m.assignment = Buffer.from(m.assignment);
  }
  return value;
}

/** Version 1 when the commit carries its own expiry (OffsetCommit v1), else version 3, as Kafka writes. */
export function encodeOffsetCommitValue(v: OffsetCommitValue, version?: number): Buffer {
  const ver =
    version ??
    (v.expireTimestamp >= 0n ? OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRE : OFFSET_COMMIT_VALUE_VERSION);
  return encodeVersionPrefixed(OffsetCommitValue, ver, v);
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue {
  return decodeVersionPrefixed(OffsetCommitValue, buf).body;
}

export const groupRecordCodec: GroupRecordCodec = {
  encode(record) {
    if (record.type === 'GroupMetadata') {
      const key = encodeVersionPrefixed(GroupMetadataKey, GROUP_METADATA_KEY_VERSION, record.key);
      return { key, value: record.value === null ? null : encodeGroupMetadataValue(record.value) };
    }
    const key = encodeVersionPrefixed(OffsetCommitKey, OFFSET_COMMIT_KEY_VERSION, record.key);
    return { key, value: record.value === null ? null : encodeOffsetCommitValue(record.value) };
  },
  decode({ key, value }) {
    const version = new Reader(key).readInt16();
    if (version <= OFFSET_COMMIT_KEY_VERSION) {
      return {
        type: 'OffsetCommit',
        key: decodeVersionPrefixed(OffsetCommitKey, key).body,
        value: value === null ? null : decodeOffsetCommitValue(value),
      };
    }
    if (version === GROUP_METADATA_KEY_VERSION) {
      return {
        type: 'GroupMetadata',
        key: decodeVersionPrefixed(GroupMetadataKey, key).body,
        value: value === null ? null : decodeGroupMetadataValue(value),
      };
    }
    // Versions 3+ are the consumer and share group records (KIP-848, KIP-932), which the classic
    // coordinator does not read.
    throw new ProtocolError('UNSUPPORTED_VERSION', `unknown group record key version ${version}`, 0);
  },
};
