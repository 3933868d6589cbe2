import {
  contains,
  type FieldSpec,
  type MessageSpec,
  type Range,
  type StructSpec,
  type TypeRef,
} from './spec.js';

const FIXED_SIZE: Record<string, number> = {
  bool: 1,
  int8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  float64: 8,
  uuid: 16,
};

/**
 * How one field travels in one version: absent, in the fixed part, or in the tagged section,
 * and whether its encoding is compact (flexible) and whether it may be null.
 */
export type FieldMode =
  | { readonly kind: 'absent' }
  | { readonly kind: 'regular' | 'tagged'; readonly flex: boolean; readonly nullable: boolean };

export function fieldMode(f: FieldSpec, spec: MessageSpec, v: number): FieldMode {
  if (!contains(f.versions, v)) return { kind: 'absent' };
  const flexible = contains(spec.flexibleVersions, v);
  const kind = flexible && contains(f.taggedVersions, v) ? 'tagged' : 'regular';
  // Fixed-size values encode the same in every version; keeping flex and nullable out of their
  // mode lets one branch of generated code cover all of them.
  const t = f.type;
  if (t.kind === 'primitive' && FIXED_SIZE[t.name] !== undefined)
    return { kind, flex: false, nullable: false };
  const flex = flexible && (f.flexibleVersions === null || contains(f.flexibleVersions, v));
  const nullable = contains(f.nullableVersions, v);
  return { kind, flex: t.kind === 'struct' ? false : flex, nullable };
}

/** How one value is encoded: compact or not, nullable or not, and whether it sits in a tagged field. */
export interface ValueMode {
  readonly flex: boolean;
  readonly nullable: boolean;
  readonly tagged?: boolean;
}

/** Consecutive versions of the message that share a key, so each gets one branch of generated code. */
export interface Segment<K> {
  readonly lo: number;
  readonly hi: number;
  readonly key: K;
}

export function segments<K>(bounds: Range, keyOf: (v: number) => K, same: (a: K, b: K) => boolean) {
  const out: Segment<K>[] = [];
  const { min, max } = bounds;
  for (let v = min; v <= max; v++) {
    const key = keyOf(v);
    const last = out[out.length - 1];
    if (last && same(last.key, key)) out[out.length - 1] = { lo: last.lo, hi: v, key };
    else out.push({ lo: v, hi: v, key });
  }
  return out;
}

export function sameMode(a: FieldMode, b: FieldMode): boolean {
  if (a.kind === 'absent' || b.kind === 'absent') return a.kind === b.kind;
  return a.kind === b.kind && a.flex === b.flex && a.nullable === b.nullable;
}

/**
 * The condition selecting versions lo..hi, leaving out what `bounds` (the versions in which the
 * code can run at all) already implies.
 */
export function versionCondition(bounds: Range, lo: number, hi: number): string {
  const needLo = lo > bounds.min;
  const needHi = hi < bounds.max;
  if (needLo && needHi) return lo === hi ? `v === ${lo}` : `v >= ${lo} && v <= ${hi}`;
  if (needLo) return `v >= ${lo}`;
  if (needHi) return `v <= ${hi}`;
  return 'true';
}

export function rangeCondition(bounds: Range, r: Range): string | null {
  const lo = Math.max(r.min, bounds.min);
  const hi = Math.min(r.max, bounds.max);
  if (lo > hi) return null;
  return versionCondition(bounds, lo, hi);
}

/** Nullable in some version the message has, so the TypeScript type must admit null. */
export function everNullable(f: FieldSpec, spec: MessageSpec): boolean {
  for (let v = spec.validVersions.min; v <= spec.validVersions.max; v++) {
    if (contains(f.versions, v) && contains(f.nullableVersions, v)) return true;
  }
  return f.default === 'null';
}

/** Nullable in every version the field appears in: then (and only then) its implicit default is null. */
function alwaysNullable(f: FieldSpec, spec: MessageSpec): boolean {
  let any = false;
  for (let v = spec.validVersions.min; v <= spec.validVersions.max; v++) {
    if (!contains(f.versions, v)) continue;
    if (!contains(f.nullableVersions, v)) return false;
    any = true;
  }
  return any;
}

export function tsType(t: TypeRef): string {
  if (t.kind === 'array') return `${tsType(t.element)}[]`;
  if (t.kind === 'struct') return t.struct.typeName;
  switch (t.name) {
    case 'bool':
      return 'boolean';
    case 'int64':
      return 'bigint';
    case 'string':
    case 'uuid':
      return 'string';
    case 'bytes':
    case 'records':
      return 'Buffer';
    default:
      return 'number';
  }
}

export function fieldType(f: FieldSpec, spec: MessageSpec): string {
  const base = tsType(f.type);
  return everNullable(f, spec) || (f.type.kind === 'primitive' && f.type.name === 'records')
    ? `${base} | null`
    : base;
}

/** What the generated code needs from the file it is written into. */
export interface EmitContext {
  readonly spec: MessageSpec;
  readonly runtime: Set<string>;
  /** Structs used as a single (non-array) field whose default is a full struct, not null. */
  readonly defaultStructs: Set<StructSpec>;
  /** Structs whose inputs must be compared with their defaults (tagged or dropped struct fields). */
  readonly defaultTests: Set<StructSpec>;
  /** The versions in which each struct can occur: code for the others would never run. */
  readonly bounds: Map<StructSpec, Range>;
}

/** Works out in which versions each struct of a message can occur, from the fields that hold it. */
export function structBounds(spec: MessageSpec): Map<StructSpec, Range> {
  const bounds = new Map<StructSpec, Range>();
  const visit = (s: StructSpec, b: Range): void => {
    const known = bounds.get(s);
    const merged = known ? { min: Math.min(known.min, b.min), max: Math.max(known.max, b.max) } : b;
    if (known && known.min === merged.min && known.max === merged.max) return;
    bounds.set(s, merged);
    for (const f of s.fields) {
      const t = f.type.kind === 'array' ? f.type.element : f.type;
      if (t.kind !== 'struct') continue;
      const inner = { min: Math.max(merged.min, f.versions.min), max: Math.min(merged.max, f.versions.max) };
      if (inner.min <= inner.max) visit(t.struct, inner);
    }
  };
  visit(spec.root, spec.validVersions);
  return bounds;
}

/** The field's default as a TypeScript expression; a fresh value each time it is evaluated. */
export function defaultExpr(f: FieldSpec, ctx: EmitContext): string {
  const d = f.default;
  if (d === 'null') return 'null';
  const t = f.type;
  if (t.kind === 'array') return alwaysNullable(f, ctx.spec) ? 'null' : '[]';
  if (t.kind === 'struct') {
    if (alwaysNullable(f, ctx.spec)) return 'null';
    ctx.defaultStructs.add(t.struct);
    return `default${t.struct.typeName}()`;
  }
  switch (t.name) {
    case 'bool':
      return d === null ? 'false' : String(d === 'true');
    case 'int64':
      return `${d === null ? 0n : BigInt(d)}n`;
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'float64': {
      const n = d === null ? 0 : Number(d);
      if (Number.isNaN(n)) throw new Error(`${ctx.spec.name}.${f.name}: bad default ${d}`);
      return String(n);
    }
    case 'string':
      if (d !== null) return `'${d.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
      return alwaysNullable(f, ctx.spec) ? 'null' : "''";
    case 'uuid':
      ctx.runtime.add('ZERO_UUID');
      return 'ZERO_UUID';
    case 'bytes':
      if (alwaysNullable(f, ctx.spec)) return 'null';
      ctx.runtime.add('EMPTY_BYTES');
      return 'EMPTY_BYTES';
    case 'records':
      if (f.nullableVersions !== null) return 'null';
      ctx.runtime.add('EMPTY_BYTES');
      return 'EMPTY_BYTES';
  }
}

/** The default used when encoding a missing field; structs default to an empty input. */
export function inputDefaultExpr(f: FieldSpec, ctx: EmitContext): string {
  if (f.type.kind === 'struct' && f.default !== 'null' && !alwaysNullable(f, ctx.spec)) return '{}';
  return defaultExpr(f, ctx);
}

/** True when `x` differs from the field's default, the test for dropping or tagging a field. */
export function nonDefaultTest(f: FieldSpec, x: string, ctx: EmitContext): string {
  const d = defaultExpr(f, ctx);
  if (d === 'null') return `${x} !== null`;
  if (d === '[]' || d === 'EMPTY_BYTES') return `(${x} === null || ${x}.length !== 0)`;
  if (d.startsWith('default') && f.type.kind === 'struct') {
    ctx.defaultTests.add(f.type.struct);
    const test = `!isDefault${f.type.struct.typeName}(${x})`;
    return everNullable(f, ctx.spec) ? `(${x} === null || ${test})` : test;
  }
  return `${x} !== ${d}`;
}

/** The fewest bytes a value can take, which bounds how many array elements a frame can hold. */
export function minValueSize(
  t: TypeRef,
  flex: boolean,
  nullable: boolean,
  spec: MessageSpec,
  v: number,
): number {
  if (t.kind === 'array') return flex ? 1 : 4;
  if (t.kind === 'struct') return nullable ? 1 : minStructSize(t.struct, spec, v);
  const fixed = FIXED_SIZE[t.name];
  if (fixed !== undefined) return fixed;
  if (t.name === 'string') return flex ? 1 : 2;
  return flex ? 1 : 4;
}

export function minStructSize(s: StructSpec, spec: MessageSpec, v: number): number {
  let n = contains(spec.flexibleVersions, v) ? 1 : 0;
  for (const f of s.fields) {
    const m = fieldMode(f, spec, v);
    if (m.kind === 'regular') n += minValueSize(f.type, m.flex, m.nullable, spec, v);
  }
  return n;
}

const PRIMITIVE_READ: Record<string, string> = {
  bool: 'readBoolean',
  int8: 'readInt8',
  int16: 'readInt16',
  uint16: 'readUInt16',
  int32: 'readInt32',
  uint32: 'readUInt32',
  int64: 'readInt64',
  float64: 'readFloat64',
  uuid: 'readUuid',
};

function lengthPrefixed(kind: 'String' | 'Bytes', flex: boolean, nullable: boolean): string {
  return `${flex ? 'Compact' : ''}${nullable ? 'Nullable' : ''}${kind}`;
}

/** An expression reading one value of type `t` from reader `r` in versions lo..hi. */
export function readExpr(
  t: TypeRef,
  mode: ValueMode,
  r: string,
  ctx: EmitContext,
  lo: number,
  hi: number,
): string {
  if (t.kind === 'array') {
    const fn = mode.nullable ? 'readNullableArray' : 'readArray';
    ctx.runtime.add(fn);
    let min = Number.POSITIVE_INFINITY;
    for (let v = lo; v <= hi; v++)
      min = Math.min(min, minValueSize(t.element, mode.flex, false, ctx.spec, v));
    const el = readExpr(t.element, { flex: mode.flex, nullable: false }, 'e', ctx, lo, hi);
    return `${fn}(${r}, ${mode.flex}, ${min}, (e) => ${el})`;
  }
  if (t.kind === 'struct') {
    const call = `read${t.struct.typeName}(${r}, v)`;
    if (!mode.nullable) return call;
    // Kafka marks a nullable struct with a byte (-1 null, 1 present), but inside a tagged field with
    // an unsigned varint (0 null, 1 present): MessageDataGenerator.generateStructReader.
    return mode.tagged
      ? `${r}.readUnsignedVarint() === 0 ? null : ${call}`
      : `${r}.readInt8() < 0 ? null : ${call}`;
  }
  const simple = PRIMITIVE_READ[t.name];
  if (simple) return `${r}.${simple}()`;
  return `${r}.read${lengthPrefixed(t.name === 'string' ? 'String' : 'Bytes', mode.flex, mode.nullable)}()`;
}

const PRIMITIVE_WRITE: Record<string, string> = {
  bool: 'writeBoolean',
  int8: 'writeInt8',
  int16: 'writeInt16',
  uint16: 'writeUInt16',
  int32: 'writeInt32',
  uint32: 'writeUInt32',
  int64: 'writeInt64',
  float64: 'writeFloat64',
  uuid: 'writeUuid',
};

/**
 * Statements writing `x` (already defaulted) with writer `w`. `mayBeNull` says whether the
 * TypeScript type admits null, in which case a version that is not nullable must reject it.
 */
export function writeStatements(
  t: TypeRef,
  mode: ValueMode,
  x: string,
  w: string,
  mayBeNull: boolean,
  fieldName: string,
  ctx: EmitContext,
): string {
  const nullCheck = (): string => {
    if (!mayBeNull || mode.nullable) return '';
    ctx.runtime.add('nullFieldError');
    return `if (${x} === null) throw nullFieldError('${fieldName}', v);\n`;
  };
  if (t.kind === 'array') {
    const len = mode.flex ? 'writeCompactArrayLength' : 'writeArrayLength';
    const el = writeStatements(
      t.element,
      { flex: mode.flex, nullable: false },
      'e',
      w,
      false,
      fieldName,
      ctx,
    );
    const body = `${w}.${len}(${x}.length);\nfor (const e of ${x}) {\n${el}}\n`;
    if (mode.nullable) return `if (${x} === null) ${w}.${len}(null);\nelse {\n${body}}\n`;
    return nullCheck() + body;
  }
  if (t.kind === 'struct') {
    const call = `write${t.struct.typeName}(${w}, v, ${x});\n`;
    if (mode.nullable && mode.tagged) {
      return `if (${x} === null) ${w}.writeUnsignedVarint(0);\nelse {\n${w}.writeUnsignedVarint(1);\n${call}}\n`;
    }
    if (mode.nullable) {
      return `if (${x} === null) ${w}.writeInt8(-1);\nelse {\n${w}.writeInt8(1);\n${call}}\n`;
    }
    return nullCheck() + call;
  }
  const simple = PRIMITIVE_WRITE[t.name];
  if (simple) return `${w}.${simple}(${x});\n`;
  const kind = t.name === 'string' ? 'String' : 'Bytes';
  return `${nullCheck()}${w}.write${lengthPrefixed(kind, mode.flex, mode.nullable)}(${x});\n`;
}
