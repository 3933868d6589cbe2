import { type FieldDescriptor, inVersionRange } from '../../protocol/message-codec.js';

/**
 * Drops the fields a version does not have, recursively, so one request body can be written at
 * whatever version was negotiated: the codecs reject a non-default value in a field the version
 * cannot carry, where Kafka's clients leave such fields out (for example JoinGroup's
 * rebalanceTimeoutMs before v1, or ApiVersions' client software name before v3).
 */
export function fitToVersion(fields: readonly FieldDescriptor[], version: number, value: unknown): unknown {
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
