/**
 * A Jepsen-style checker of a queue workload's history (as jepsen-io/redpanda's queue checker judges
 * a Kafka-compatible log), pure: it reads events and returns a verdict, no I/O.
 *
 * The history holds every produce attempt with its outcome (acked with the offset the broker
 * returned, failed when the record certainly was not written, unknown when it may have been: a
 * timeout, a lost connection) and every record any consumer read, plus the final read of each
 * partition from its log start to its end after the faults healed. Values are unique per attempt
 * and name their producer and its sequence number (`<producer>:<seq>`), so the checker can tell
 * one producer's order.
 *
 * Violations:
 * - lost: acknowledged (or read by a consumer) but absent from the final read;
 * - duplicated: one value at two or more offsets of the final read (the producers are idempotent);
 * - reordered: one producer's values in one partition of the final read out of its send order
 *   (an idempotent producer keeps its order per partition);
 * - offset changed: a value acknowledged or read at another partition or offset than the final
 *   read holds it at, or one offset read with two different values (logs diverged);
 * - unexpected: a value in the final read that was never sent, or whose send certainly failed.
 * Unknown outcomes are no violation: they are counted apart, as written or not.
 */

export type ProduceOutcome = 'acked' | 'failed' | 'unknown';

export interface ProduceEvent {
  type: 'produce';
  /** The driver that sent it (e.g. `strom-0`, `python-1`, `kafkajs-0`). */
  client: string;
  value: string;
  partition: number;
  outcome: ProduceOutcome;
  /** The offset the broker acknowledged (acked only); a decimal string, as offsets pass 2^53. */
  offset?: string;
}

export interface ReadEvent {
  /** `read` by a workload consumer during the run, `final` by the checker's read after healing. */
  type: 'read' | 'final';
  client: string;
  value: string;
  partition: number;
  offset: string;
}

export type HistoryEvent = ProduceEvent | ReadEvent;

export interface Placement {
  partition: number;
  offset: string;
}

export interface CheckResult {
  valid: boolean;
  counts: {
    attempts: number;
    acked: number;
    failed: number;
    unknown: number;
    /** Unknown outcomes found in the final read (they were written). */
    unknownWritten: number;
    reads: number;
    finalRecords: number;
    lost: number;
    duplicated: number;
    reordered: number;
    offsetChanged: number;
    unexpected: number;
  };
  /**
   * Liveness, not safety (no effect on `valid`): a consumer that had not read a partition up to
   * the final read's end when it stopped, i.e. did not ride through the faults.
   */
  stalled: { client: string; partition: number; readThrough: string; end: string }[];
  /** Per driver: its sends by outcome and its reads, to see every driver took part. */
  byClient: Record<string, { acked: number; failed: number; unknown: number; reads: number }>;
  /** Each kind's first examples (at most `EXAMPLES_KEPT`), for the report. */
  lost: { value: string; acked?: Placement; readAt?: Placement }[];
  duplicated: { value: string; at: Placement[] }[];
  reordered: { partition: number; client: string; before: string; after: string }[];
  offsetChanged: { value: string; was: Placement; now: Placement | null; by: string }[];
  unexpected: { value: string; at: Placement; why: 'never sent' | 'failed' }[];
}

export const EXAMPLES_KEPT = 20;

/** The producer and sequence number a value names (`<producer>:<seq>`), or null for other values. */
export function parseValue(value: string): { client: string; seq: number } | null {
  const i = value.lastIndexOf(':');
  if (i <= 0) return null;
  const seq = Number(value.slice(i + 1));
  return Number.isSafeInteger(seq) ? { client: value.slice(0, i), seq } : null;
}

function placementKey(p: Placement): string {
  return `${p.partition}@${p.offset}`;
}

function push<T>(list: T[], item: T): void {
  if (list.length < EXAMPLES_KEPT) list.push(item);
}

export function checkHistory(events: Iterable<HistoryEvent>): CheckResult {
  const produced = new Map<string, ProduceEvent>();
  const reads: ReadEvent[] = [];
  const final: ReadEvent[] = [];
  for (const e of events) {
    if (e.type === 'produce') {
      // A later outcome of the same value (a driver reporting unknown, then acked) wins over unknown.
      const prev = produced.get(e.value);
      if (!prev || prev.outcome === 'unknown') produced.set(e.value, e);
    } else if (e.type === 'read') reads.push(e);
    else final.push(e);
  }

  const r: CheckResult = {
    valid: true,
    counts: {
      attempts: produced.size,
      acked: 0,
      failed: 0,
      unknown: 0,
      unknownWritten: 0,
      reads: reads.length,
      finalRecords: final.length,
      lost: 0,
      duplicated: 0,
      reordered: 0,
      offsetChanged: 0,
      unexpected: 0,
    },
    stalled: [],
    byClient: {},
    lost: [],
    duplicated: [],
    reordered: [],
    offsetChanged: [],
    unexpected: [],
  };

  // The final read: where each value is, and each partition in offset order.
  const finalAt = new Map<string, Placement[]>();
  const valueAtOffset = new Map<string, string>();
  for (const e of final) {
    const at = { partition: e.partition, offset: e.offset };
    const list = finalAt.get(e.value);
    if (list) {
      if (!list.some((p) => placementKey(p) === placementKey(at))) list.push(at);
    } else finalAt.set(e.value, [at]);
    valueAtOffset.set(placementKey(at), e.value);
  }

  for (const [value, at] of finalAt) {
    if (at.length > 1) {
      r.counts.duplicated++;
      push(r.duplicated, { value, at });
    }
    const p = produced.get(value);
    if (!p || p.outcome === 'failed') {
      r.counts.unexpected++;
      push(r.unexpected, { value, at: at[0]!, why: p ? 'failed' : 'never sent' });
    }
  }

  const clientCounts = (name: string): CheckResult['byClient'][string] =>
    (r.byClient[name] ??= { acked: 0, failed: 0, unknown: 0, reads: 0 });
  for (const e of reads) clientCounts(e.client).reads++;
  for (const p of produced.values()) {
    r.counts[p.outcome]++;
    clientCounts(p.client)[p.outcome]++;
    const now = finalAt.get(p.value);
    if (p.outcome === 'unknown' && now) r.counts.unknownWritten++;
    if (p.outcome !== 'acked') continue;
    const acked = p.offset === undefined ? undefined : { partition: p.partition, offset: p.offset };
    if (!now) {
      r.counts.lost++;
      push(r.lost, { value: p.value, acked });
    } else if (acked && !now.some((x) => placementKey(x) === placementKey(acked))) {
      r.counts.offsetChanged++;
      push(r.offsetChanged, { value: p.value, was: acked, now: now[0]!, by: `${p.client} ack` });
    }
  }

  // Reads during the run: each must still be where it was read; each offset holds one value.
  const lostByRead = new Set<string>();
  const changed = new Set<string>();
  for (const e of reads) {
    const at = { partition: e.partition, offset: e.offset };
    const now = finalAt.get(e.value);
    if (!now) {
      if (produced.get(e.value)?.outcome !== 'acked' && !lostByRead.has(e.value)) {
        lostByRead.add(e.value);
        r.counts.lost++;
        push(r.lost, { value: e.value, readAt: at });
      }
      continue;
    }
    const there = valueAtOffset.get(placementKey(at));
    const moved = !now.some((x) => placementKey(x) === placementKey(at));
    if (
      (moved || (there !== undefined && there !== e.value)) &&
      !changed.has(`${e.value}/${placementKey(at)}`)
    ) {
      changed.add(`${e.value}/${placementKey(at)}`);
      r.counts.offsetChanged++;
      push(r.offsetChanged, { value: e.value, was: at, now: now[0] ?? null, by: `${e.client} read` });
    }
  }

  // Order: per partition, each producer's sequence numbers rise with the offset.
  const byPartition = new Map<number, ReadEvent[]>();
  for (const e of final) {
    const list = byPartition.get(e.partition) ?? [];
    list.push(e);
    byPartition.set(e.partition, list);
  }
  for (const [partition, list] of byPartition) {
    list.sort((a, b) =>
      BigInt(a.offset) < BigInt(b.offset) ? -1 : BigInt(a.offset) > BigInt(b.offset) ? 1 : 0,
    );
    const last = new Map<string, { seq: number; value: string }>();
    for (const e of list) {
      const v = parseValue(e.value);
      if (!v) continue;
      const prev = last.get(v.client);
      if (prev && v.seq < prev.seq) {
        r.counts.reordered++;
        push(r.reordered, { partition, client: v.client, before: prev.value, after: e.value });
      }
      if (!prev || v.seq > prev.seq) last.set(v.client, { seq: v.seq, value: e.value });
    }
  }

  r.stalled = stalledConsumers(reads, final);
  const c = r.counts;
  r.valid = c.lost + c.duplicated + c.reordered + c.offsetChanged + c.unexpected === 0;
  return r;
}

/** Each consumer's partitions it had not read up to the final read's end. */
export function stalledConsumers(
  reads: readonly ReadEvent[],
  final: readonly ReadEvent[],
): CheckResult['stalled'] {
  const end = new Map<number, bigint>();
  for (const e of final) {
    const o = BigInt(e.offset) + 1n;
    if ((end.get(e.partition) ?? -1n) < o) end.set(e.partition, o);
  }
  const through = new Map<string, Map<number, bigint>>();
  for (const e of reads) {
    const m = through.get(e.client) ?? new Map<number, bigint>();
    through.set(e.client, m);
    const o = BigInt(e.offset) + 1n;
    if ((m.get(e.partition) ?? 0n) < o) m.set(e.partition, o);
  }
  const stalled: CheckResult['stalled'] = [];
  for (const [client, m] of through) {
    for (const [partition, e] of [...end].sort((a, b) => a[0] - b[0])) {
      const t = m.get(partition) ?? 0n;
      if (t < e) stalled.push({ client, partition, readThrough: t.toString(), end: e.toString() });
    }
  }
  return stalled;
}

/** Parses JSON lines of history events (as the external drivers print them); other lines are skipped. */
export function parseHistoryLines(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    const o = e as Record<string, unknown>;
    if (typeof o.value !== 'string' || typeof o.partition !== 'number' || typeof o.client !== 'string')
      continue;
    const offset = o.offset === undefined || o.offset === null ? undefined : String(o.offset);
    if (
      o.type === 'produce' &&
      (o.outcome === 'acked' || o.outcome === 'failed' || o.outcome === 'unknown')
    ) {
      events.push({
        type: 'produce',
        client: o.client,
        value: o.value,
        partition: o.partition,
        outcome: o.outcome,
        ...(offset !== undefined && o.outcome === 'acked' ? { offset } : {}),
      });
    } else if ((o.type === 'read' || o.type === 'final') && offset !== undefined) {
      events.push({ type: o.type, client: o.client, value: o.value, partition: o.partition, offset });
    }
  }
  return events;
}

/** A few lines for a person: the counts, then each violation kind's first examples. */
export function formatReport(r: CheckResult): string {
  const c = r.counts;
  const lines = [
    `${r.valid ? 'valid' : 'INVALID'}: ${c.attempts} sends (${c.acked} acked, ${c.failed} failed, ` +
      `${c.unknown} unknown of which ${c.unknownWritten} written), ${c.reads} reads, ${c.finalRecords} records in the final read`,
    `lost ${c.lost}, duplicated ${c.duplicated}, reordered ${c.reordered}, offset changed ${c.offsetChanged}, unexpected ${c.unexpected}`,
  ];
  const drivers = Object.entries(r.byClient).map(
    ([name, x]) => `${name} ${x.acked}/${x.unknown}/${x.failed}/${x.reads}`,
  );
  if (drivers.length > 0) lines.push(`drivers (acked/unknown/failed/reads): ${drivers.join(', ')}`);
  for (const x of r.stalled) {
    lines.push(
      `  liveness: ${x.client} read partition ${x.partition} only up to ${x.readThrough} of ${x.end}`,
    );
  }
  const at = (p: Placement | undefined | null): string => (p ? `${p.partition}@${p.offset}` : '-');
  for (const x of r.lost) lines.push(`  lost ${x.value} (acked at ${at(x.acked)}, read at ${at(x.readAt)})`);
  for (const x of r.duplicated) lines.push(`  duplicated ${x.value} at ${x.at.map(at).join(', ')}`);
  for (const x of r.reordered) lines.push(`  reordered in ${x.partition}: ${x.after} after ${x.before}`);
  for (const x of r.offsetChanged)
    lines.push(`  offset changed ${x.value}: ${at(x.was)} (${x.by}) now ${at(x.now)}`);
  for (const x of r.unexpected) lines.push(`  unexpected ${x.value} at ${at(x.at)} (${x.why})`);
  return lines.join('\n');
}
