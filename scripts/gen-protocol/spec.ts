import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** An inclusive version range; `max < min` means no version ("none"). */
export interface Range {
  readonly min: number;
  readonly max: number;
}

export const OPEN = 0x7fff;
export const NONE: Range = { min: 0, max: -1 };

export const PRIMITIVES = [
  'bool',
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'string',
  'bytes',
  'records',
  'uuid',
] as const;
export type Primitive = (typeof PRIMITIVES)[number];

export type TypeRef =
  | { readonly kind: 'primitive'; readonly name: Primitive }
  | { readonly kind: 'array'; readonly element: TypeRef }
  | { readonly kind: 'struct'; readonly struct: StructSpec };

export interface FieldSpec {
  readonly name: string;
  readonly property: string;
  readonly typeText: string;
  readonly type: TypeRef;
  readonly versions: Range;
  readonly nullableVersions: Range | null;
  readonly taggedVersions: Range | null;
  readonly tag: number | null;
  readonly flexibleVersions: Range | null;
  readonly ignorable: boolean;
  readonly default: string | null;
  readonly mapKey: boolean;
  readonly entityType: string | null;
  readonly zeroCopy: boolean;
  readonly about: string | null;
  /** Credentials and their derivatives: logs must never show these (see the style guide). */
  readonly sensitive: boolean;
}

/**
 * Fields holding secrets. The specs do not say which fields are secret, so the generator keeps the
 * list: SASL exchanges, SCRAM credentials and delegation-token HMACs.
 */
const SENSITIVE_FIELDS = new Set(['AuthBytes', 'Hmac', 'Salt', 'SaltedPassword', 'StoredKey', 'ServerKey']);

export interface StructSpec {
  /** The spec's struct name, e.g. 'TopicProduceData'. */
  readonly specName: string;
  /** The TypeScript interface, e.g. 'ProduceRequestTopicProduceData'. */
  readonly typeName: string;
  readonly fields: FieldSpec[];
}

export interface MessageSpec {
  /** Path relative to the spec folder, e.g. 'message/ProduceRequest.json'. */
  readonly file: string;
  readonly folder: string;
  readonly name: string;
  readonly type: string;
  readonly apiKey: number | null;
  readonly validVersions: Range;
  readonly flexibleVersions: Range;
  readonly listeners: readonly string[];
  /** The newest version is still being designed; brokers do not advertise it by default. */
  readonly latestVersionUnstable: boolean;
  readonly root: StructSpec;
  /** Every nested struct, in the order first met, so the output order never depends on anything else. */
  readonly structs: StructSpec[];
}

export const SPEC_FOLDERS = [
  'message',
  'metadata',
  'group-coordinator',
  'transaction-coordinator',
  'raft',
  'streams',
] as const;

/** Removes `//` and `/* *\/` comments outside strings, so "about" texts holding URLs survive. */
export function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (c === '"') {
        inString = false;
      }
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new Error('unterminated block comment');
      i = end + 1;
    } else {
      out += c;
    }
  }
  return out;
}

export function parseRange(text: string | undefined, what: string): Range {
  if (text === undefined) throw new Error(`${what}: missing version range`);
  const t = text.trim();
  if (t === 'none') return NONE;
  let m = /^(\d+)\+$/.exec(t);
  if (m) return { min: Number(m[1]), max: OPEN };
  m = /^(\d+)-(\d+)$/.exec(t);
  if (m) return { min: Number(m[1]), max: Number(m[2]) };
  m = /^(\d+)$/.exec(t);
  if (m) return { min: Number(m[1]), max: Number(m[1]) };
  throw new Error(`${what}: bad version range '${text}'`);
}

export function contains(r: Range | null, v: number): boolean {
  return r !== null && v >= r.min && v <= r.max;
}

/** Kafka's own generator lowercases only the first letter ('KRaftVersion' becomes 'kRaftVersion'). */
export function camelCase(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function kebabCase(name: string): string {
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

interface RawField {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  flexibleVersions?: string;
  ignorable?: boolean;
  default?: string | number | boolean | null;
  mapKey?: boolean;
  entityType?: string;
  zeroCopy?: boolean;
  about?: string;
  fields?: RawField[];
}

interface RawSpec {
  name: string;
  type: string;
  apiKey?: number;
  validVersions: string;
  flexibleVersions: string;
  listeners?: string[];
  latestVersionUnstable?: boolean;
  fields: RawField[];
  commonStructs?: { name: string; versions?: string; fields: RawField[] }[];
}

class StructResolver {
  readonly structs: StructSpec[] = [];
  private readonly byName = new Map<string, StructSpec>();
  private readonly common: Map<string, RawField[]>;

  constructor(
    private readonly messageName: string,
    common: RawSpec['commonStructs'],
  ) {
    this.common = new Map((common ?? []).map((c) => [c.name, c.fields]));
  }

  resolveFields(raw: RawField[], where: string): FieldSpec[] {
    return raw.map((f) => this.resolveField(f, where));
  }

  private resolveType(text: string, field: RawField, where: string): TypeRef {
    if (text.startsWith('[]'))
      return { kind: 'array', element: this.resolveType(text.slice(2), field, where) };
    if ((PRIMITIVES as readonly string[]).includes(text))
      return { kind: 'primitive', name: text as Primitive };
    if (text === 'boolean') return { kind: 'primitive', name: 'bool' };
    return { kind: 'struct', struct: this.resolveStruct(text, field.fields, where) };
  }

  private resolveStruct(name: string, inline: RawField[] | undefined, where: string): StructSpec {
    const known = this.byName.get(name);
    if (known) {
      if (inline) throw new Error(`${where}: struct ${name} is defined twice`);
      return known;
    }
    const fields = inline ?? this.common.get(name);
    if (!fields) throw new Error(`${where}: unknown struct type ${name}`);
    const struct: StructSpec = { specName: name, typeName: this.messageName + name, fields: [] };
    this.byName.set(name, struct);
    this.structs.push(struct);
    struct.fields.push(...this.resolveFields(fields, `${where}.${name}`));
    return struct;
  }

  private resolveField(f: RawField, where: string): FieldSpec {
    const at = `${where}.${f.name}`;
    const tagged = f.taggedVersions === undefined ? null : parseRange(f.taggedVersions, at);
    if ((tagged === null) !== (f.tag === undefined))
      throw new Error(`${at}: tag and taggedVersions go together`);
    return {
      name: f.name,
      property: camelCase(f.name),
      typeText: f.type,
      type: this.resolveType(f.type, f, at),
      versions: parseRange(f.versions, at),
      nullableVersions: f.nullableVersions === undefined ? null : parseRange(f.nullableVersions, at),
      taggedVersions: tagged,
      tag: f.tag ?? null,
      flexibleVersions: f.flexibleVersions === undefined ? null : parseRange(f.flexibleVersions, at),
      ignorable: f.ignorable === true,
      default:
        f.default === undefined || f.default === null
          ? f.default === null
            ? 'null'
            : null
          : String(f.default),
      mapKey: f.mapKey === true,
      entityType: f.entityType ?? null,
      zeroCopy: f.zeroCopy === true,
      about: f.about ?? null,
      sensitive: SENSITIVE_FIELDS.has(f.name),
    };
  }
}

export function parseSpec(text: string, file: string, folder: string): MessageSpec {
  const raw = JSON.parse(stripComments(text)) as RawSpec;
  const resolver = new StructResolver(raw.name, raw.commonStructs);
  const root: StructSpec = {
    specName: raw.name,
    typeName: raw.name,
    fields: resolver.resolveFields(raw.fields, raw.name),
  };
  return {
    file,
    folder,
    name: raw.name,
    type: raw.type,
    apiKey: raw.apiKey ?? null,
    validVersions: parseRange(raw.validVersions, raw.name),
    flexibleVersions: parseRange(raw.flexibleVersions, raw.name),
    listeners: raw.listeners ?? [],
    latestVersionUnstable: raw.latestVersionUnstable === true,
    root,
    structs: resolver.structs,
  };
}

/** Every spec under the folders we generate, sorted by path so output order is fixed. */
export function loadSpecs(specDir: string): MessageSpec[] {
  const specs: MessageSpec[] = [];
  for (const folder of SPEC_FOLDERS) {
    const names = readdirSync(join(specDir, folder))
      .filter((n) => n.endsWith('.json'))
      .sort();
    for (const name of names) {
      const file = `${folder}/${name}`;
      specs.push(parseSpec(readFileSync(join(specDir, file), 'utf8'), file, folder));
    }
  }
  return specs;
}
