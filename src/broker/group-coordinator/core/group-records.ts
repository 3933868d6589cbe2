import { ProtocolError } from '../../../protocol/primitives/protocol-error.js';
import { Reader } from '../../../protocol/primitives/reader.js';
import { Writer } from '../../../protocol/primitives/writer.js';

// The records the classic group coordinator keeps in __consumer_offsets, with the field names of
// Kafka's group-coordinator specs (GroupMetadataKey/Value, OffsetCommitKey/Value). A record key is
// an int16 key version followed by the key fields; the value is an int16 value version followed by
// the value fields; a null value is a tombstone. The key version tells the record type apart:
// 0 and 1 are OffsetCommitKey, 2 is GroupMetadataKey.

export interface GroupMetadataKey {
  readonly group: string;
}

export interface GroupMetadataMember {
  readonly memberId: string;
  /** v3+; null for dynamic members. */
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** v1+; -1 when absent (readers fall back to sessionTimeout). */
  readonly rebalanceTimeout: number;
  readonly sessionTimeout: number;
  readonly subscription: Buffer;
  readonly assignment: Buffer;
}

export interface GroupMetadataValue {
  readonly protocolType: string;
  readonly generation: number;
  readonly protocol: string | null;
  readonly leader: string | null;
  /** v2+; -1 when unknown. */
  readonly currentStateTimestamp: bigint;
  readonly members: readonly GroupMetadataMember[];
}

export interface OffsetCommitKey {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
}

export interface OffsetCommitValue {
  readonly offset: bigint;
  /** v3+; -1 when unknown. */
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly commitTimestamp: bigint;
  /** v1 only; -1 when the commit carries no retention of its own. */
  readonly expireTimestamp: bigint;
}

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

/**
 * Turns group records into log bytes and back. The hand-written codec below follows the JSON specs;
 * the generated codecs can replace it behind this interface without touching the coordinator.
 */
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
const FLEXIBLE_VALUE_VERSION = 4;

export function encodeGroupMetadataValue(
  v: GroupMetadataValue,
  version = GROUP_METADATA_VALUE_VERSION,
): Buffer {
  checkVersion('GroupMetadataValue', version, 0, 4, -1);
  const flexible = version >= FLEXIBLE_VALUE_VERSION;
  const w = new Writer();
  w.writeInt16(version);
  str(w, v.protocolType, flexible);
  w.writeInt32(v.generation);
  nstr(w, v.protocol, flexible);
  nstr(w, v.leader, flexible);
  if (version >= 2) w.writeInt64(v.currentStateTimestamp);
  if (flexible) w.writeCompactArrayLength(v.members.length);
  else w.writeArrayLength(v.members.length);
  for (const m of v.members) {
    str(w, m.memberId, flexible);
    if (version >= 3) nstr(w, m.groupInstanceId, flexible);
    str(w, m.clientId, flexible);
    str(w, m.clientHost, flexible);
    if (version >= 1) w.writeInt32(m.rebalanceTimeout);
    w.writeInt32(m.sessionTimeout);
    bytes(w, m.subscription, flexible);
    bytes(w, m.assignment, flexible);
    if (flexible) w.writeUnsignedVarint(0);
  }
  if (flexible) w.writeUnsignedVarint(0);
  return w.toBuffer();
}

export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue {
  const r = new Reader(buf);
  const version = r.readInt16();
  checkVersion('GroupMetadataValue', version, 0, 4, 0);
  const flexible = version >= FLEXIBLE_VALUE_VERSION;
  const protocolType = flexible ? r.readCompactString() : r.readString();
  const generation = r.readInt32();
  const protocol = flexible ? r.readCompactNullableString() : r.readNullableString();
  const leader = flexible ? r.readCompactNullableString() : r.readNullableString();
  const currentStateTimestamp = version >= 2 ? r.readInt64() : -1n;
  // The smallest member: six empty strings/bytes and two int32s.
  const n = flexible ? r.readCompactArrayLength(12) : r.readArrayLength(20);
  if (n < 0) throw new ProtocolError('NULL_NOT_ALLOWED', 'members is null', r.pos);
  const members: GroupMetadataMember[] = [];
  for (let i = 0; i < n; i++) {
    const memberId = flexible ? r.readCompactString() : r.readString();
    let groupInstanceId: string | null = null;
    if (version >= 3) groupInstanceId = flexible ? r.readCompactNullableString() : r.readNullableString();
    const clientId = flexible ? r.readCompactString() : r.readString();
    const clientHost = flexible ? r.readCompactString() : r.readString();
    const rebalanceTimeout = version >= 1 ? r.readInt32() : -1;
    const sessionTimeout = r.readInt32();
    const subscription = Buffer.from(flexible ? r.readCompactBytes() : r.readBytes());
    const assignment = Buffer.from(flexible ? r.readCompactBytes() : r.readBytes());
    if (flexible) skipTaggedFields(r);
    members.push({
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      rebalanceTimeout,
      sessionTimeout,
      subscription,
      assignment,
    });
  }
  if (flexible) skipTaggedFields(r);
  expectEnd(r);
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}

export function encodeOffsetCommitValue(v: OffsetCommitValue, version?: number): Buffer {
  const ver =
    version ??
    (v.expireTimestamp >= 0n ? OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRE : OFFSET_COMMIT_VALUE_VERSION);
  checkVersion('OffsetCommitValue', ver, 0, 4, -1);
  const flexible = ver >= FLEXIBLE_VALUE_VERSION;
  const w = new Writer(64);
  w.writeInt16(ver);
  w.writeInt64(v.offset);
  if (ver >= 3) w.writeInt32(v.leaderEpoch);
  str(w, v.metadata, flexible);
  w.writeInt64(v.commitTimestamp);
  if (ver === 1) w.writeInt64(v.expireTimestamp);
  if (flexible) w.writeUnsignedVarint(0);
  return w.toBuffer();
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue {
  const r = new Reader(buf);
  const version = r.readInt16();
  checkVersion('OffsetCommitValue', version, 0, 4, 0);
  const flexible = version >= FLEXIBLE_VALUE_VERSION;
  const offset = r.readInt64();
  const leaderEpoch = version >= 3 ? r.readInt32() : -1;
  const metadata = flexible ? r.readCompactString() : r.readString();
  const commitTimestamp = r.readInt64();
  const expireTimestamp = version === 1 ? r.readInt64() : -1n;
  if (flexible) skipTaggedFields(r);
  expectEnd(r);
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}

export function encodeGroupRecordKey(record: GroupRecord): Buffer {
  const w = new Writer(64);
  if (record.type === 'GroupMetadata') {
    w.writeInt16(GROUP_METADATA_KEY_VERSION);
    w.writeString(record.key.group);
  } else {
    w.writeInt16(OFFSET_COMMIT_KEY_VERSION);
    w.writeString(record.key.group);
    w.writeString(record.key.topic);
    w.writeInt32(record.key.partition);
  }
  return w.toBuffer();
}

/** The codec written from the JSON specs with the protocol primitives. */
export const groupRecordCodec: GroupRecordCodec = {
  encode(record) {
    const key = encodeGroupRecordKey(record);
    if (record.value === null) return { key, value: null };
    if (record.type === 'GroupMetadata') return { key, value: encodeGroupMetadataValue(record.value) };
    return { key, value: encodeOffsetCommitValue(record.value) };
  },
  decode({ key, value }) {
    const r = new Reader(key);
    const version = r.readInt16();
    if (version === 0 || version === 1) {
      const k: OffsetCommitKey = { group: r.readString(), topic: r.readString(), partition: r.readInt32() };
      expectEnd(r);
      return { type: 'OffsetCommit', key: k, value: value === null ? null : decodeOffsetCommitValue(value) };
    }
    if (version === 2) {
      const k: GroupMetadataKey = { group: r.readString() };
      expectEnd(r);
      return {
        type: 'GroupMetadata',
        key: k,
        value: value === null ? null : decodeGroupMetadataValue(value),
      };
    }
    // Versions 3+ are the consumer and share group records (KIP-848, KIP-932), which the classic
    // coordinator does not read.
    throw new ProtocolError('UNSUPPORTED_VERSION', `unknown group record key version ${version}`, 0);
  },
};

function str(w: Writer, s: string, flexible: boolean): void {
  if (flexible) w.writeCompactString(s);
  else w.writeString(s);
}

function nstr(w: Writer, s: string | null, flexible: boolean): void {
  if (flexible) w.writeCompactNullableString(s);
  else w.writeNullableString(s);
}

function bytes(w: Writer, b: Buffer, flexible: boolean): void {
  if (flexible) w.writeCompactBytes(b);
  else w.writeBytes(b);
}

function skipTaggedFields(r: Reader): void {
  const n = r.readUnsignedVarint();
  for (let i = 0; i < n; i++) {
    r.readUnsignedVarint();
    r.skip(r.readUnsignedVarint());
  }
}

function expectEnd(r: Reader): void {
  if (r.remaining() !== 0)
    throw new ProtocolError('TRAILING_BYTES', `${r.remaining()} bytes left over`, r.pos);
}

function checkVersion(name: string, version: number, min: number, max: number, position: number): void {
  if (version < min || version > max) {
    throw new ProtocolError(
      'UNSUPPORTED_VERSION',
      `${name} version ${version} is not in ${min}-${max}`,
      position,
    );
  }
}
