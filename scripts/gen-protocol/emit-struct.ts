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

export function emitRead(s: StructSpec, ctx: EmitContext): string {
  const spec = ctx.spec;
  const b = boundsOf(s, ctx);
  let body = `const o: ${s.typeName} = {\n`;
  for (const f of s.fields) body += `${f.property}: ${defaultExpr(f, ctx)},\n`;
  body += '};\n';
  const tagged: string[] = [];
  for (const f of s.fields) {
    const branches: { cond: string; body: string }[] = [];
    for (const seg of modeSegments(f, spec, b)) {
      const m = seg.key;
      if (m.kind === 'absent') continue;
      const cond = versionCondition(b, seg.lo, seg.hi);
      if (m.kind === 'regular') {
        branches.push({
          cond,
          body: `o.${f.property} = ${readExpr(f.type, m, 'r', ctx, seg.lo, seg.hi)};\n`,
        });
      } else {
        ctx.runtime.add('taggedFieldReader');
        ctx.runtime.add('endTaggedField');
        const test = cond === 'true' ? `tag === ${f.tag}` : `tag === ${f.tag} && ${cond}`;
        tagged.push(
          `if (${test}) {\nconst t = taggedFieldReader(r, size);\n` +
            `o.${f.property} = ${readExpr(f.type, { ...m, tagged: true }, 't', ctx, seg.lo, seg.hi)};\n` +
            `endTaggedField(t, ${f.tag});\ncontinue;\n}\n`,
        );
      }
    }
    body += branchChain(branches);
  }
  const flexCond = rangeCondition(b, spec.flexibleVersions);
  if (flexCond !== null) {
    ctx.runtime.add('keepUnknownTaggedField');
    ctx.runtime.add('readTag');
    const loop =
      'const count = r.readUnsignedVarint();\nlet tag = -1;\nfor (let i = 0; i < count; i++) {\n' +
      'tag = readTag(r, tag);\nconst size = r.readUnsignedVarint();\n' +
      tagged.join('') +
      'keepUnknownTaggedField(o, tag, r.readRaw(size));\n}\n';
    body += flexCond === 'true' ? loop : `if (${flexCond}) {\n${loop}}\n`;
  }
  body += 'return o;\n';
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
