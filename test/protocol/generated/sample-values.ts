import {
  type FieldDescriptor,
  inVersionRange,
  type MessageCodec,
  type VersionRange,
} from '../../../src/protocol/message-codec.js';
import type { Prng } from '../../helpers/prng.js';

/**
 * Builds messages from a codec's field descriptors, independently of the generated code: the
 * defaults are worked out again here from the spec rules, so a round trip checks both sides.
 */

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

type Value = unknown;
type Obj = Record<string, Value>;

function elementType(type: string): string {
  return type.startsWith('[]') ? type.slice(2) : type;
}

/** Nullable in every version of `valid` in which the field appears. */
function alwaysNullable(f: FieldDescriptor, valid: VersionRange): boolean {
  let any = false;
  for (let v = valid.min; v <= valid.max; v++) {
    if (!inVersionRange(f.versions, v)) continue;
    if (!inVersionRange(f.nullableVersions, v)) return false;
    any = true;
  }
  return any;
}

/** The value a decoder returns for a field its version lacks (and an encoder assumes when missing). */
export function defaultValue(f: FieldDescriptor, valid: VersionRange): Value {
  const d = f.default;
  if (d === 'null') return null;
  if (f.type.startsWith('[]')) return alwaysNullable(f, valid) ? null : [];
  if (f.fields !== null) return alwaysNullable(f, valid) ? null : defaultStruct(f.fields, valid);
  switch (f.type) {
    case 'bool':
      return d === 'true';
    case 'int64':
      return BigInt(d ?? 0);
    case 'string':
      return d ?? (alwaysNullable(f, valid) ? null : '');
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
      return alwaysNullable(f, valid) ? null : Buffer.alloc(0);
    case 'records':
      return f.nullableVersions !== null ? null : Buffer.alloc(0);
    default:
      return Number(d ?? 0);
  }
}

export function defaultStruct(fields: readonly FieldDescriptor[], valid: VersionRange): Obj {
  const o: Obj = {};
  for (const f of fields) o[f.property] = defaultValue(f, valid);
  return o;
}

/** What `decode` must return for a version: fields the version lacks become defaults, recursively. */
export function expectedDecoded(
  fields: readonly FieldDescriptor[],
  valid: VersionRange,
  version: number,
  input: Obj,
): Obj {
  const o: Obj = {};
  for (const f of fields) {
    if (!inVersionRange(f.versions, version) || !(f.property in input)) {
      o[f.property] = defaultValue(f, valid);
      continue;
    }
    const x = input[f.property];
    if (f.fields !== null && x !== null) {
      o[f.property] = Array.isArray(x)
        ? x.map((e) => expectedDecoded(f.fields!, valid, version, e as Obj))
        : expectedDecoded(f.fields, valid, version, x as Obj);
    } else {
      o[f.property] = x;
    }
  }
  if (input.unknownTaggedFields !== undefined) o.unknownTaggedFields = input.unknownTaggedFields;
  return o;
}

const INT_SAMPLES: Record<string, number[]> = {
  int8: [-7, 100, 1],
  int16: [-300, 30000, 2],
  uint16: [65000, 40000, 3],
  int32: [-100000, 2000000000, 4],
  uint32: [4000000000, 70000, 5],
  float64: [1.5, -2.25e10, 6],
};

function primitiveSample(f: FieldDescriptor, rng: Prng, dflt: Value): Value {
  const t = elementType(f.type);
  switch (t) {
    case 'bool':
      return dflt !== true;
    case 'int64': {
      const v = BigInt.asIntN(64, (BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32()));
      return v === dflt ? v + 1n : v;
    }
    case 'string':
      return `sträng-${f.name}-${rng.int(1000)}`;
    case 'uuid':
      return rng.bytes(16).toString('base64url');
    case 'bytes':
      return rng.bytes(1 + rng.int(20));
    case 'records':
      return rng.bytes(30 + rng.int(40));
    default: {
      const candidates = INT_SAMPLES[t]!.filter((n) => n !== dflt);
      return rng.pick(candidates);
    }
  }
}

export interface SampleOptions {
  /** Use null for every field nullable in this version, instead of a value. */
  readonly nulls: boolean;
}

/** A message with every field of the version set to a non-default value (or null, with `nulls`). */
export function sampleStruct(
  fields: readonly FieldDescriptor[],
  valid: VersionRange,
  flexible: VersionRange,
  version: number,
  rng: Prng,
  opts: SampleOptions,
  depth = 0,
): Obj {
  const o: Obj = {};
  for (const f of fields) {
    if (!inVersionRange(f.versions, version)) continue;
    const dflt = defaultValue(f, valid);
    if (opts.nulls && inVersionRange(f.nullableVersions, version)) {
      o[f.property] = null;
      continue;
    }
    if (f.type.startsWith('[]')) {
      const n = depth > 3 ? 1 : 2;
      const items: Value[] = [];
      for (let i = 0; i < n; i++) {
        items.push(
          f.fields !== null
            ? sampleStruct(f.fields, valid, flexible, version, rng, opts, depth + 1)
            : primitiveSample(f, rng, undefined),
        );
      }
      o[f.property] = items;
    } else if (f.fields !== null) {
      o[f.property] = sampleStruct(f.fields, valid, flexible, version, rng, opts, depth + 1);
    } else {
      o[f.property] = primitiveSample(f, rng, dflt);
    }
  }
  if (inVersionRange(flexible, version)) {
    // A tag far above any the specs use, so it is unknown to every decoder.
    o.unknownTaggedFields = [{ tag: 10000 + depth, data: rng.bytes(1 + rng.int(5)) }];
  }
  return o;
}

export function sampleMessage(
  codec: MessageCodec<unknown>,
  version: number,
  rng: Prng,
  opts: SampleOptions,
): Obj {
  const valid = { min: codec.minVersion, max: codec.maxVersion };
  return sampleStruct(codec.fields, valid, codec.flexibleVersions, version, rng, opts);
}
