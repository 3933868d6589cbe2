import {
  defaultExpr,
  type EmitContext,
  type FieldMode,
  fieldMode,
  fieldType,
  inputDefaultExpr,
  nonDefaultTest,
  rangeCondition,
  readExpr,
  sameMode,
  segments,
  versionCondition,
  writeStatements,
} from './emit-values.js';
import { type FieldSpec, type MessageSpec, OPEN, type Range, type StructSpec } from './spec.js';

function docComment(text: string | null, indent = ''): string {
  if (!text) return '';
  return `${indent}/** ${text.replace(/\*\//g, '*\\/').replace(/\s+/g, ' ').trim()} */\n`;
}

function hasFlexible(spec: MessageSpec): boolean {
  return rangeCondition(spec.validVersions, spec.flexibleVersions) !== null;
}

/** Renames parameters the body never mentions, which the linter would otherwise flag. */
function params(body: string, names: [string, string][]): string {
  return names.map(([n, t]) => `${new RegExp(`\\b${n}\\b`).test(body) ? n : `_${n}`}: ${t}`).join(', ');
}

export function emitInterface(s: StructSpec, ctx: EmitContext, about: string | null): string {
  let out = docComment(about);
  out += `export interface ${s.typeName} {\n`;
  for (const f of s.fields) {
    let doc = f.about ?? '';
    if (f.mapKey) doc += ' (map key)';
    if (f.tag !== null) doc += ` (tag ${f.tag})`;
    if (f.sensitive) doc += ' Sensitive: never log.';
    out += docComment(doc, '  ');
    out += `  ${f.property}: ${fieldType(f, ctx.spec)};\n`;
  }
  if (hasFlexible(ctx.spec)) {
    ctx.runtime.add('type TaggedField');
    out +=
      '  /** Tagged fields this version of Strom does not know, kept so re-encoding preserves them. */\n';
    out += '  unknownTaggedFields?: TaggedField[];\n';
  }
  return `${out}}\n`;
}

function modeSegments(f: FieldSpec, spec: MessageSpec, bounds: Range) {
  return segments<FieldMode>(bounds, (v) => fieldMode(f, spec, v), sameMode);
}

function branchChain(branches: { cond: string; body: string }[]): string {
  if (branches.length === 1 && branches[0]!.cond === 'true') return branches[0]!.body;
  return branches.map((b, i) => `${i === 0 ? '' : 'else '}if (${b.cond}) {\n${b.body}}\n`).join('');
}

/** Versions in which the struct occurs; a struct nothing reaches still gets (dead) code for all. */
function boundsOf(s: StructSpec, ctx: EmitContext): Range {
  return ctx.bounds.get(s) ?? ctx.spec.validVersions;
}

/** A local for a field while its struct is being read; the prefix keeps it clear of the loop's names. */
function local(f: FieldSpec): string {
  return `_${f.property}`;
}

export function emitRead(s: StructSpec, ctx: EmitContext): string {
  const spec = ctx.spec;
  const b = boundsOf(s, ctx);
  const flexCond = rangeCondition(b, spec.flexibleVersions);
  // Fields are read in order into an object literal built once, so every decoded struct has the
  // same shape and no default is built only to be thrown away.
  const values: string[] = [];
  const tagged: string[] = [];
  let body = '';
  for (const f of s.fields) {
    let isTagged = false;
    const segs = modeSegments(f, spec, b).reverse();
    // When every version reads the field in the fixed part, the last choice needs no test and the
    // default is never used.
    const everywhere = segs.every((seg) => seg.key.kind === 'regular');
    let expr = everywhere ? '' : defaultExpr(f, ctx);
    const fieldTagged: string[] = [];
    for (const [k, seg] of segs.entries()) {
      const m = seg.key;
      if (m.kind === 'absent') continue;
      const cond = everywhere && k === 0 ? 'true' : versionCondition(b, seg.lo, seg.hi);
      if (m.kind === 'regular') {
        const read = readExpr(f.type, m, 'r', ctx, seg.lo, seg.hi);
        expr = cond === 'true' ? read : `${cond} ? ${read} : ${expr}`;
      } else {
        isTagged = true;
        ctx.runtime.add('taggedFieldReader');
        ctx.runtime.add('endTaggedField');
        const test = cond === 'true' ? `tag === ${f.tag}` : `tag === ${f.tag} && ${cond}`;
        fieldTagged.unshift(
          `if (${test}) {\nconst t = taggedFieldReader(r, size);\n` +
            `${local(f)} = ${readExpr(f.type, { ...m, tagged: true }, 't', ctx, seg.lo, seg.hi)};\n` +
            `endTaggedField(t, ${f.tag});\ncontinue;\n}\n`,
        );
      }
    }
    tagged.push(...fieldTagged);
    if (flexCond === null) {
      values.push(`${f.property}: ${expr},\n`);
    } else {
      body += `${isTagged ? 'let' : 'const'} ${local(f)}: ${fieldType(f, spec)} = ${expr};\n`;
      values.push(`${f.property}: ${local(f)},\n`);
    }
  }
  if (flexCond === null) return emitReadFunction(s, `return {\n${values.join('')}};\n`);
  ctx.runtime.add('appendTaggedField');
  ctx.runtime.add('readTag');
  ctx.runtime.add('type TaggedField');
  const loop =
    'const count = r.readUnsignedVarint();\nlet tag = -1;\nfor (let i = 0; i < count; i++) {\n' +
    'tag = readTag(r, tag);\nconst size = r.readUnsignedVarint();\n' +
    tagged.join('') +
    'unknown = appendTaggedField(unknown, tag, r.readRaw(size));\n}\n';
  body += 'let unknown: TaggedField[] | undefined;\n';
  body += flexCond === 'true' ? loop : `if (${flexCond}) {\n${loop}}\n`;
  body += `const o: ${s.typeName} = {\n${values.join('')}};\n`;
  body += 'if (unknown !== undefined) o.unknownTaggedFields = unknown;\nreturn o;\n';
  return emitReadFunction(s, body);
}

function emitReadFunction(s: StructSpec, body: string): string {
  const p = params(body, [
    ['r', 'Reader'],
    ['v', 'number'],
  ]);
  return `function read${s.typeName}(${p}): ${s.typeName} {\n${body}}\n`;
}

export function emitWrite(s: StructSpec, ctx: EmitContext): string {
  const spec = ctx.spec;
  const b = boundsOf(s, ctx);
  let body = '';
  const tagged: string[] = [];
  for (const f of s.fields) {
    const mayBeNull = fieldType(f, spec).endsWith('| null');
    const branches: { cond: string; body: string }[] = [];
    const fieldTagged: string[] = [];
    for (const seg of modeSegments(f, spec, b)) {
      const m = seg.key;
      const cond = versionCondition(b, seg.lo, seg.hi);
      if (m.kind === 'absent') {
        if (f.ignorable) continue;
        ctx.runtime.add('absentFieldError');
        const test = nonDefaultTest(f, 'x', ctx);
        branches.push({ cond, body: `if (${test}) throw absentFieldError('${f.name}', v);\n` });
      } else if (m.kind === 'regular') {
        branches.push({ cond, body: writeStatements(f.type, m, 'x', 'w', mayBeNull, f.name, ctx) });
      } else {
        ctx.runtime.add('encodeTaggedField');
        const test = nonDefaultTest(f, 'x', ctx);
        const write = writeStatements(f.type, { ...m, tagged: true }, 'x', 'tw', mayBeNull, f.name, ctx);
        fieldTagged.push(
          `if (${cond === 'true' ? '' : `${cond} && `}${test}) {\n` +
            `tagged.push(encodeTaggedField(${f.tag}, (tw) => {\n${write}}));\n}\n`,
        );
      }
    }
    const chain = branchChain(branches);
    if (chain === '' && fieldTagged.length === 0) continue;
    const init = `const x = m.${f.property} === undefined ? ${inputDefaultExpr(f, ctx)} : m.${f.property};\n`;
    if (chain !== '') body += `{\n${init}${chain}}\n`;
    // Tagged values go after every fixed field, so their blocks are kept for the tagged section.
    if (fieldTagged.length > 0) tagged.push(`{\n${init}${fieldTagged.join('')}}\n`);
  }
  const flexCond = rangeCondition(b, spec.flexibleVersions);
  if (flexCond !== null) {
    ctx.runtime.add('writeTaggedFields');
    let section: string;
    if (tagged.length === 0) section = 'writeTaggedFields(w, undefined, m.unknownTaggedFields);\n';
    else {
      ctx.runtime.add('type TaggedField');
      section = `const tagged: TaggedField[] = [];\n${tagged.join('')}writeTaggedFields(w, tagged, m.unknownTaggedFields);\n`;
    }
    body += flexCond === 'true' ? section : `if (${flexCond}) {\n${section}}\n`;
  }
  const p = params(body, [
    ['w', 'Writer'],
    ['v', 'number'],
    ['m', `MessageInput<${s.typeName}>`],
  ]);
  return `function write${s.typeName}(${p}): void {\n${body}}\n`;
}

/** A struct-typed field that is not nullable defaults to a struct of defaults, built fresh each time. */
export function emitDefault(s: StructSpec, ctx: EmitContext): string {
  let body = '';
  for (const f of s.fields) body += `${f.property}: ${defaultExpr(f, ctx)},\n`;
  return `function default${s.typeName}(): ${s.typeName} {\nreturn {\n${body}};\n}\n`;
}

/** Whether a struct input equals the struct's defaults, as Kafka's `equals(new Struct())` test does. */
export function emitIsDefault(s: StructSpec, ctx: EmitContext): string {
  const terms = s.fields.map(
    (f) => `(m.${f.property} === undefined || !(${nonDefaultTest(f, `m.${f.property}`, ctx)}))`,
  );
  if (hasFlexible(ctx.spec))
    terms.push('(m.unknownTaggedFields === undefined || m.unknownTaggedFields.length === 0)');
  const body = terms.length === 0 ? 'true' : terms.join(' &&\n');
  return `function isDefault${s.typeName}(${terms.length === 0 ? '_m' : 'm'}: MessageInput<${s.typeName}>): boolean {\nreturn ${body};\n}\n`;
}

function rangeText(r: Range): string {
  if (r.max < r.min) return 'none';
  if (r.max === OPEN) return `${r.min}+`;
  return r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`;
}

export function descriptorName(s: StructSpec): string {
  return `fieldsOf${s.typeName}`;
}

/**
 * Field metadata as data, for tools and tests that walk every message without the JSON specs.
 * Written in the spec's own terms (version strings, only the keys the spec sets) to stay compact.
 */
export function emitDescriptors(s: StructSpec, ctx: EmitContext): string {
  ctx.runtime.add('describeFields');
  let out = `const ${descriptorName(s)}: readonly FieldDescriptor[] = describeFields([\n`;
  for (const f of s.fields) {
    const t = f.type.kind === 'array' ? f.type.element : f.type;
    const parts = [
      `name: ${JSON.stringify(f.name)}`,
      `type: ${JSON.stringify(f.typeText)}`,
      `versions: '${rangeText(f.versions)}'`,
    ];
    if (f.nullableVersions) parts.push(`nullableVersions: '${rangeText(f.nullableVersions)}'`);
    if (f.taggedVersions) parts.push(`taggedVersions: '${rangeText(f.taggedVersions)}', tag: ${f.tag}`);
    if (f.flexibleVersions) parts.push(`flexibleVersions: '${rangeText(f.flexibleVersions)}'`);
    if (f.ignorable) parts.push('ignorable: true');
    if (f.default !== null) parts.push(`default: ${JSON.stringify(f.default)}`);
    if (f.mapKey) parts.push('mapKey: true');
    if (f.entityType) parts.push(`entityType: ${JSON.stringify(f.entityType)}`);
    if (f.zeroCopy) parts.push('zeroCopy: true');
    if (f.sensitive) parts.push('sensitive: true');
    if (t.kind === 'struct') parts.push(`fields: ${descriptorName(t.struct)}`);
    out += `{ ${parts.join(', ')} },\n`;
  }
  return `${out}]);\n`;
}
