import type { Admin, GroupOffset } from '../client/index.js';
import { UsageError } from './usage-error.js';

/** Where --reset-offsets moves a group's position (Kafka's ResetOffsets scenarios). */
export type ResetSpec =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'current' }
  | { kind: 'offset'; offset: bigint }
  | { kind: 'shift'; by: bigint }
  | { kind: 'datetime'; timestampMs: number };

/** Milliseconds of an ISO 8601 duration such as PT1H, P1DT30M or PT0.5S (Java's Duration.parse). */
export function parseIsoDurationMs(text: string): number {
  const m = /^([-+]?)P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text);
  if (!m || text.toUpperCase().endsWith('T') || text.length <= 1 + (m[1] ? 1 : 0)) {
    throw new UsageError(`invalid duration '${text}': expected ISO 8601 such as PT1H or P1DT2H30M`);
  }
  const ms =
    Number(m[2] ?? 0) * 86_400_000 +
    Number(m[3] ?? 0) * 3_600_000 +
    Number(m[4] ?? 0) * 60_000 +
    Math.round(Number(m[5] ?? 0) * 1000);
  return m[1] === '-' ? -ms : ms;
}

/** A datetime as Kafka's tool takes it: ISO 8601, local time when no zone is given. */
export function parseDatetimeMs(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new UsageError(`invalid datetime '${text}': expected e.g. 2024-01-31T12:00:00.000`);
  return ms;
}

/**
 * The new offset of each partition: the chosen spot, kept within the partition's current
 * log start and end as Kafka clamps it.
 */
export async function planOffsetReset(
  admin: Admin,
  groupId: string,
  partitions: readonly { topic: string; partition: number }[],
  spec: ResetSpec,
): Promise<GroupOffset[]> {
  const [earliest, latest, committed] = await Promise.all([
    admin.listOffsets(partitions.map((p) => ({ ...p, timestamp: 'earliest' as const }))),
    admin.listOffsets(partitions.map((p) => ({ ...p, timestamp: 'latest' as const }))),
    admin.listGroupOffsets(groupId),
  ]);
  const key = (t: string, p: number): string => `${t}\u0000${p}`;
  const low = new Map(earliest.map((a) => [key(a.topic, a.partition), a.offset]));
  const high = new Map(latest.map((a) => [key(a.topic, a.partition), a.offset]));
  const current = new Map(committed.map((c) => [key(c.topic, c.partition), c.offset]));
  const byTime =
    spec.kind === 'datetime'
      ? new Map(
          (await admin.listOffsets(partitions.map((p) => ({ ...p, timestamp: spec.timestampMs })))).map(
            (a) => [key(a.topic, a.partition), a.offset],
          ),
        )
      : null;
  return partitions.map(({ topic, partition }) => {
    const k = key(topic, partition);
    const lo = low.get(k) ?? 0n;
    const hi = high.get(k) ?? 0n;
    // Without a committed offset, relative moves start from the end, as a new consumer would.
    const now = current.get(k) ?? hi;
    let target: bigint;
    switch (spec.kind) {
      case 'earliest':
        target = lo;
        break;
      case 'latest':
        target = hi;
        break;
      case 'current':
        target = now;
        break;
      case 'offset':
        target = spec.offset;
        break;
      case 'shift':
        target = now + spec.by;
        break;
      case 'datetime': {
        // No record at or after the time: the end of the log.
        const at = byTime!.get(k) ?? -1n;
        target = at < 0n ? hi : at;
        break;
      }
    }
    if (target < lo) target = lo;
    if (target > hi) target = hi;
    return { topic, partition, offset: target };
  });
}
