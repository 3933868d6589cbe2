import { METADATA_RECORD_TYPES, METADATA_SCHEMAS } from '../protocol/generated/records/metadata/index.js';
import { ProtocolError } from '../protocol/primitives/protocol-error.js';
import { Reader } from '../protocol/primitives/reader.js';
import { Writer } from '../protocol/primitives/writer.js';
import type { MetadataRecord } from './controller/metadata-record.js';

/** Kafka's AbstractApiMessageSerde frame version. */
const FRAME_VERSION = 1;

/**
 * The bytes of one metadata record as Kafka's KRaft log holds them (MetadataRecordSerde):
 * unsigned varints frame version, record type (the spec's apiKey) and record version, then the
 * record in that version. Each record is written in the newest version its spec defines.
 */
export function encodeMetadataRecord(record: MetadataRecord): Buffer {
  const codec = METADATA_SCHEMAS.get(record.type);
  if (!codec) throw new ProtocolError('INVALID_FIELD', `no codec for metadata record ${record.type}`);
  const w = new Writer(64);
  w.writeUnsignedVarint(FRAME_VERSION);
  w.writeUnsignedVarint(codec.apiKey);
  w.writeUnsignedVarint(codec.maxVersion);
  codec.write(w, codec.maxVersion, record.data);
  return w.toBuffer();
}

/** Decodes a record written by encodeMetadataRecord (or by Kafka). Throws ProtocolError on bad bytes. */
export function decodeMetadataRecord(bytes: Buffer): MetadataRecord {
  const r = new Reader(bytes);
  const frame = r.readUnsignedVarint();
  if (frame !== FRAME_VERSION) throw new ProtocolError('INVALID_FIELD', `metadata frame version ${frame}`, 0);
  const type = r.readUnsignedVarint();
  const version = r.readUnsignedVarint();
  const codec = METADATA_RECORD_TYPES.get(type);
  if (!codec) throw new ProtocolError('INVALID_FIELD', `unknown metadata record type ${type}`, 1);
  if (version < codec.minVersion || version > codec.maxVersion) {
    throw new ProtocolError('UNSUPPORTED_VERSION', `${codec.name} version ${version}`, 2);
  }
  const data = codec.read(r, version);
  if (r.remaining() !== 0) throw new ProtocolError('TRAILING_BYTES', `bytes after ${codec.name}`, r.pos);
  return { type: codec.name, data } as MetadataRecord;
}
