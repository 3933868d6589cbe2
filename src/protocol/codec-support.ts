import {
  type FieldDescriptor,
  type MessageCodec,
  type MessageInput,
  OPEN_VERSION_MAX,
  type TaggedField,
  type VersionRange,
} from './message-codec.js';
import { ProtocolError } from './primitives/protocol-error.js';
import { Reader } from './primitives/reader.js';
import { Writer } from './primitives/writer.js';

/**
 * The small runtime the generated codecs share. Everything version-specific is generated inline;
 * what lives here is the same for every message: array framing, the tagged-field section, errors.
 */

/** Zero-length and never written to, so one instance can be every empty bytes default. */
export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

export { ZERO_UUID } from './primitives/uuid.js';

export function absentFieldError(field: string, version: number): ProtocolError {
  return new ProtocolError(
    'INVALID_FIELD',
    `${field} has a non-default value but version ${version} cannot carry it`,
  );
}

export function nullFieldError(field: string, version: number): ProtocolError {
  return new ProtocolError('INVALID_FIELD', `${field} is null but not nullable in version ${version}`);
}

/** Reads an array that must not be null; `min` is the smallest encoding of one element. */
export function readArray<T>(r: Reader, compact: boolean, min: number, element: (r: Reader) => T): T[] {
  const start = r.pos;
  const n = compact ? r.readCompactArrayLength(min) : r.readArrayLength(min);
  if (n < 0) throw new ProtocolError('NULL_NOT_ALLOWED', 'non-nullable array is null', start);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(element(r));
  return out;
}

export function readNullableArray<T>(
  r: Reader,
  compact: boolean,
  min: number,
  element: (r: Reader) => T,
): T[] | null {
  const n = compact ? r.readCompactArrayLength(min) : r.readArrayLength(min);
  if (n < 0) return null;
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(element(r));
  return out;
}

/**
 * Reads the next tag of a tagged-field section. Writers emit tags in ascending order (KIP-482);
 * insisting on it here rejects duplicates and keeps every accepted encoding canonical, so a
 * decoded message re-encodes to the same bytes.
 */
export function readTag(r: Reader, previous: number): number {
  const start = r.pos;
  const tag = r.readUnsignedVarint();
  if (tag <= previous) {
    throw new ProtocolError('INVALID_FIELD', `tag ${tag} follows tag ${previous}; tags must ascend`, start);
  }
  return tag;
}

/** A reader over exactly one tagged field's `size` bytes; `r` moves past them. */
export function taggedFieldReader(r: Reader, size: number): Reader {
  if (size > r.remaining()) {
    throw new ProtocolError(
      'LENGTH_TOO_LARGE',
      `tagged field of ${size} bytes exceeds ${r.remaining()}`,
      r.pos,
    );
  }
  const sub = new Reader(r.buf, r.pos, r.pos + size);
  r.pos += size;
  return sub;
}

/** A known tagged field must fill its declared size exactly, or the two sides disagree on its type. */
export function endTaggedField(sub: Reader, tag: number): void {
  if (sub.remaining() !== 0) {
    throw new ProtocolError(
      'INVALID_FIELD',
      `tagged field ${tag} has ${sub.remaining()} bytes left over`,
      sub.pos,
    );
  }
}

/** Adds a tagged field this version does not know to a struct's list, so re-encoding preserves it. */
export function appendTaggedField(list: TaggedField[] | undefined, tag: number, data: Buffer): TaggedField[] {
  if (list === undefined) return [{ tag, data }];
  list.push({ tag, data });
  return list;
}

/** Encodes one tagged field's value on its own, since the section needs its size first. */
export function encodeTaggedField(tag: number, write: (w: Writer) => void): TaggedField {
  const w = new Writer(64);
  write(w);
  return { tag, data: w.toBuffer() };
}

/** Writes the tagged-field section: count, then (tag, size, data) sorted by tag as KIP-482 requires. */
export function writeTaggedFields(
  w: Writer,
  known: TaggedField[] | undefined,
  unknown: readonly TaggedField[] | undefined,
): void {
  if ((known === undefined || known.length === 0) && (unknown === undefined || unknown.length === 0)) {
    w.writeUnsignedVarint(0);
    return;
  }
  const all = unknown === undefined ? known! : known === undefined ? [...unknown] : known.concat(unknown);
  all.sort((a, b) => a.tag - b.tag);
  w.writeUnsignedVarint(all.length);
  let last = -1;
  for (const f of all) {
    if (!Number.isInteger(f.tag) || f.tag < 0 || f.tag > 0x7fffffff) {
      throw new ProtocolError('INVALID_FIELD', `invalid tag ${f.tag}`);
    }
    if (f.tag === last) throw new ProtocolError('INVALID_FIELD', `tag ${f.tag} appears twice`);
    last = f.tag;
    w.writeUnsignedVarint(f.tag);
    w.writeUnsignedVarint(f.data.length);
    w.writeRaw(f.data);
  }
}

/** Errors Node raises for numbers out of a field's range or values of the wrong type. */
function isEncodingMistake(e: unknown): e is Error & { code: string } {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ERR_OUT_OF_RANGE' || code === 'ERR_INVALID_ARG_TYPE';
}

/** A field as the spec writes it: version strings, and only the keys the spec sets. */
export interface FieldLiteral {
  readonly name: string;
  readonly type: string;
  readonly versions: string;
  readonly nullableVersions?: string;
  readonly taggedVersions?: string;
  readonly tag?: number;
  readonly flexibleVersions?: string;
  readonly ignorable?: boolean;
  readonly default?: string;
  readonly mapKey?: boolean;
  readonly entityType?: string;
  readonly zeroCopy?: boolean;
  readonly sensitive?: boolean;
  readonly fields?: readonly FieldDescriptor[];
}

/** Parses a spec version range: "3+", "0-5", "7" or "none" (an empty range). */
export function parseVersionRange(text: string): VersionRange {
  if (text === 'none') return { min: 0, max: -1 };
  const plus = text.endsWith('+');
  const [lo, hi] = (plus ? text.slice(0, -1) : text).split('-');
  const min = Number(lo);
  return { min, max: plus ? OPEN_VERSION_MAX : hi === undefined ? min : Number(hi) };
}

/** Expands the generated field literals into descriptors, once, when a codec module loads. */
export function describeFields(literals: readonly FieldLiteral[]): readonly FieldDescriptor[] {
  return literals.map((f) => ({
    name: f.name,
    property: f.name.charAt(0).toLowerCase() + f.name.slice(1),
    type: f.type,
    versions: parseVersionRange(f.versions),
    nullableVersions: f.nullableVersions === undefined ? null : parseVersionRange(f.nullableVersions),
    taggedVersions: f.taggedVersions === undefined ? null : parseVersionRange(f.taggedVersions),
    tag: f.tag ?? null,
    flexibleVersions: f.flexibleVersions === undefined ? null : parseVersionRange(f.flexibleVersions),
    ignorable: f.ignorable === true,
    default: f.default ?? null,
    mapKey: f.mapKey === true,
    entityType: f.entityType ?? null,
    zeroCopy: f.zeroCopy === true,
    sensitive: f.sensitive === true,
    fields: f.fields ?? null,
  }));
}

export interface CodecDefinition<T> {
  readonly name: string;
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly flexibleVersions: VersionRange;
  readonly fields: readonly FieldDescriptor[];
  readonly write: (w: Writer, version: number, msg: MessageInput<T>) => void;
  readonly read: (r: Reader, version: number) => T;
}

export function createCodec<T>(d: CodecDefinition<T>): MessageCodec<T> {
  const { name, minVersion, maxVersion, flexibleVersions } = d;
  const checkVersion = (version: number, position: number): void => {
    if (!Number.isInteger(version) || version < minVersion || version > maxVersion) {
      throw new ProtocolError(
        'UNSUPPORTED_VERSION',
        `${name} version ${version} is outside ${minVersion}-${maxVersion}`,
        position,
      );
    }
  };
  const codec: MessageCodec<T> = {
    name,
    apiKey: d.apiKey,
    minVersion,
    maxVersion,
    fields: d.fields,
    flexibleVersions,
    isFlexible: (version) => version >= flexibleVersions.min && version <= flexibleVersions.max,
    write(w, version, msg) {
      checkVersion(version, -1);
      try {
        d.write(w, version, msg);
      } catch (e) {
        if (isEncodingMistake(e)) {
          throw new ProtocolError('INVALID_FIELD', `${name} v${version}: ${e.message}`, -1, { cause: e });
        }
        throw e;
      }
    },
    read(r, version) {
      checkVersion(version, r.pos);
      return d.read(r, version);
    },
    encode(version, msg) {
      const w = new Writer();
      codec.write(w, version, msg);
      return w.toBuffer();
    },
    decode(version, bytes) {
      const r = new Reader(bytes);
      const value = codec.read(r, version);
      if (r.remaining() !== 0) {
        throw new ProtocolError('TRAILING_BYTES', `${r.remaining()} bytes after ${name} v${version}`, r.pos);
      }
      return value;
    },
  };
  return codec;
}
