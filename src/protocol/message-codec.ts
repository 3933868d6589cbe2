import type { Reader } from './primitives/reader.js';
import type { Writer } from './primitives/writer.js';

/** A tagged field the decoder did not recognise; kept so that re-encoding loses nothing (KIP-482). */
export interface TaggedField {
  tag: number;
  data: Buffer;
}

/**
 * What callers pass to `write`/`encode`: the decoded shape with every field optional, recursively.
 * A missing field is encoded as its default. Unknown tagged fields are passed through as they are.
 */
export type MessageInput<T> = T extends Buffer
  ? T
  : T extends readonly (infer U)[]
    ? readonly MessageInput<U>[]
    : T extends object
      ? { [K in keyof T]?: K extends 'unknownTaggedFields' ? T[K] : MessageInput<T[K]> }
      : T;

/** An inclusive version range from a spec ("3+", "0-5", "none"); `max < min` means no version. */
export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

/** Highest version an open range ("3+") reaches: versions are int16 on the wire. */
export const OPEN_VERSION_MAX = 0x7fff;

export function inVersionRange(range: VersionRange | null | undefined, version: number): boolean {
  return range !== null && range !== undefined && version >= range.min && version <= range.max;
}

/** One field of a spec as the generator saw it, so tests and tools can walk messages without the JSON. */
export interface FieldDescriptor {
  /** The spec's name, e.g. 'TopicData'. */
  readonly name: string;
  /** The property in the TypeScript object, e.g. 'topicData'. */
  readonly property: string;
  /** The spec's type, e.g. 'int32', '[]string', '[]TopicProduceData', 'Cursor'. */
  readonly type: string;
  readonly versions: VersionRange;
  readonly nullableVersions: VersionRange | null;
  readonly taggedVersions: VersionRange | null;
  readonly tag: number | null;
  /** The field's own flexibleVersions when it overrides the message's (RequestHeader ClientId: never). */
  readonly flexibleVersions: VersionRange | null;
  readonly ignorable: boolean;
  /** The spec's default as written there, or null when it has none. */
  readonly default: string | null;
  readonly mapKey: boolean;
  readonly entityType: string | null;
  readonly zeroCopy: boolean;
  /** A secret (SASL bytes, SCRAM salts and keys, token HMACs): never log its value. */
  readonly sensitive: boolean;
  /** Fields of the struct (or of each array element) for struct types. */
  readonly fields: readonly FieldDescriptor[] | null;
}

export interface MessageCodec<T> {
  /** The spec name, e.g. 'ProduceRequest'. */
  readonly name: string;
  /** The API key (or metadata record type); -1 when the spec has none. */
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** The fields of the spec, for tools and tests that walk messages generically. */
  readonly fields: readonly FieldDescriptor[];
  /** The versions that use compact encodings and tagged fields. */
  readonly flexibleVersions: VersionRange;
  isFlexible(version: number): boolean;
  /** Throws ProtocolError on unencodable values or an unsupported version. */
  write(w: Writer, version: number, msg: MessageInput<T>): void;
  /** Throws ProtocolError on malformed bytes; reads exactly the message's bytes. */
  read(r: Reader, version: number): T;
  encode(version: number, msg: MessageInput<T>): Buffer;
  /** Like `read`, and rejects bytes left over (TRAILING_BYTES). */
  decode(version: number, bytes: Buffer): T;
}

/** One API of the protocol: its request and response codecs and the header versions they travel in. */
export interface ApiDescriptor {
  readonly apiKey: number;
  /** The API name without the Request/Response suffix, e.g. 'Produce'. */
  readonly name: string;
  readonly request: MessageCodec<unknown>;
  readonly response: MessageCodec<unknown>;
  readonly minVersion: number;
  readonly maxVersion: number;
  requestHeaderVersion(version: number): number;
  responseHeaderVersion(version: number): number;
  /** Which listeners serve this API: 'broker', 'controller' (and 'zkBroker' in older specs). */
  readonly listeners: readonly string[];
  /**
   * The spec marks `maxVersion` as still unstable (share groups, for now): Kafka leaves it out of
   * ApiVersions responses unless unstable versions are enabled.
   */
  readonly latestVersionUnstable: boolean;
}
