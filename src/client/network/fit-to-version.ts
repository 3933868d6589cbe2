import { type FieldDescriptor, inVersionRange } from '../../protocol/message-codec.js';

/**
 * Drops the fields a version does not have, recursively, so one request body can be written at
 * whatever version was negotiated: the codecs reject a non-default value in a field the version
 * cannot carry, where Kafka's clients leave such fields out (for example JoinGroup's
 * rebalanceTimeoutMs before v1, or ApiVersions' client software name before v3).
 */
export function fitToVersion(fields: readonly FieldDescriptor[], version: number, value: unknown): unknown {
  if (carriesEveryField(fields, version)) return value;
  return fit(fields, version, value);
}

const complete = new WeakMap<readonly FieldDescriptor[], Map<number, boolean>>();

/** Whether a version has every field (nested ones too): then there is nothing to drop. Cached. */
function carriesEveryField(fields: readonly FieldDescriptor[], version: number): boolean {
  let byVersion = complete.get(fields);
  if (!byVersion) {
    byVersion = new Map();
    complete.set(fields, byVersion);
  }
  let all = byVersion.get(version);
  if (all === undefined) {
    all = fields.every(
      (f) => inVersionRange(f.versions, version) && (!f.fields || carriesEveryField(f.fields, version)),
    );
    byVersion.set(version, all);
  }
  return all;
}

function fit(fields: readonly FieldDescriptor[], version: number, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  const input = value as { [k: string]: unknown };
  const out: { [k: string]: unknown } = {};
  for (const key of Object.keys(input)) {
    const field = fields.find((f) => f.property === key);
    if (!field) {
      out[key] = input[key];
      continue;
    }
    if (!inVersionRange(field.versions, version)) continue;
    const v = input[key];
    if (field.fields && Array.isArray(v)) out[key] = v.map((e) => fitToVersion(field.fields!, version, e));
    else if (field.fields) out[key] = fitToVersion(field.fields, version, v);
    else out[key] = v;
  }
  return out;
}
