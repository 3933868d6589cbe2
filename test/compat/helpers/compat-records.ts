import assert from 'node:assert/strict';

/**
 * The records every compatibility scenario produces and checks, defined identically in
 * clients/compat_records.py and go/compatrecords: record i has key `key-<i>`, a null value when
 * i % 10 == 3 (a tombstone), otherwise `value-<i>-` padded with i % 37 x's, and two fixed headers
 * (kcat can only give every record of a run the same headers).
 */
export const HEADERS: readonly (readonly [string, string])[] = [
  ['trace', 'compat'],
  ['lang', 'any'],
];

export interface CompatRecord {
  readonly key: string;
  readonly value: string | null;
}

export function compatRecord(i: number): CompatRecord {
  return { key: `key-${i}`, value: i % 10 === 3 ? null : `value-${i}-${'x'.repeat(i % 37)}` };
}

/** kcat's producer input with `-K '\t' -Z`: an empty value is sent as null. */
export function kcatInput(count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) {
    const r = compatRecord(i);
    out += `${r.key}\t${r.value ?? ''}\n`;
  }
  return out;
}

/**
 * Checks a consumer's output: one line per record, `offset<TAB>key<TAB>value<TAB>headers`, with
 * NULL for a null key or value and headers as `k=v,k=v` (kcat's `-Z -f '%o\t%k\t%s\t%h\n'`).
 */
export function assertConsumed(
  output: string,
  count: number,
  options: { headers: boolean; firstOffset?: number; label: string },
): void {
  const lines = output.split('\n').filter((l) => l !== '' && !l.startsWith('%'));
  assert.equal(lines.length, count, `${options.label}: records consumed`);
  const firstOffset = options.firstOffset ?? 0;
  const headers = options.headers ? HEADERS.map(([k, v]) => `${k}=${v}`).join(',') : '';
  for (let i = 0; i < count; i++) {
    const r = compatRecord(i);
    const expected = `${firstOffset + i}\t${r.key}\t${r.value ?? 'NULL'}\t${headers}`;
    if (lines[i] !== expected) {
      assert.equal(lines[i], expected, `${options.label}: record ${i}`);
    }
  }
}

/**
 * Checks a group consumer's output over several partitions: one line per record,
 * `partition<TAB>offset<TAB>key<TAB>value<TAB>headers`, for records produced with record i to
 * partition i % partitions. Every partition must hold its records i = p, p + partitions, … of a run
 * of `count` at consecutive offsets from `firstOffset`, each once; partitions may interleave.
 */
export function assertPartitionsConsumed(
  output: string,
  count: number,
  options: {
    partitions: number;
    headers: boolean;
    firstOffset?: number;
    label: string;
    record?: (i: number) => CompatRecord;
  },
): void {
  const lines = output.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, count, `${options.label}: records consumed`);
  const byPartition = new Map<number, string[]>();
  for (const line of lines) {
    const tab = line.indexOf('\t');
    const partition = Number(line.slice(0, tab));
    const list = byPartition.get(partition) ?? [];
    list.push(line.slice(tab + 1));
    byPartition.set(partition, list);
  }
  const record = options.record ?? compatRecord;
  const headers = options.headers ? HEADERS.map(([k, v]) => `${k}=${v}`).join(',') : '';
  for (let p = 0; p < options.partitions; p++) {
    const got = byPartition.get(p) ?? [];
    const want: string[] = [];
    for (let i = p; i < count; i += options.partitions) {
      const r = record(i);
      want.push(`${(options.firstOffset ?? 0) + want.length}\t${r.key}\t${r.value ?? 'NULL'}\t${headers}`);
    }
    assert.deepEqual(got, want, `${options.label}: partition ${p}`);
  }
  assert.equal(byPartition.size, options.partitions, `${options.label}: partitions read`);
}
