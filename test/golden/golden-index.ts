/**
 * The shape of test/golden/frames/index.json, written by capture/capture-frames.ts and read by
 * frames.test.ts, plus the helpers both use to compare decoded values with expectations.
 */

export type ExpectedValue = string | number | boolean | null;

export type ClientName =
  | 'kcat'
  | 'confluent-kafka-python'
  | 'kafka-python'
  | 'kafkajs'
  | 'platformatic-kafka';

/** What a Produce frame's records must look like (the same facts its batch file carries). */
export interface ExpectedRecords {
  /** 2 for record batches, 1 or 0 for legacy message sets. */
  magic: number;
  codec: string;
  /** Records the client was asked to send. */
  recordCount: number;
  /** Outer entries of a legacy message set: each record, or one wrapper when compressed. */
  messageSetEntries?: number;
  /** Each record as the client was given it (UTF-8 key, value and headers). */
  contents: ExpectedRecord[];
}

export interface ExpectedRecord {
  key: string;
  value: string;
  /** [key, value] pairs in order; legacy message sets cannot carry headers. */
  headers: [string, string][];
}

export interface FrameEntry {
  /** Path relative to test/golden/frames. */
  file: string;
  client: ClientName;
  clientVersion: string;
  /** The capture scenario that sent this frame first. */
  scenario: string;
  apiKey: number;
  apiName: string;
  version: number;
  correlationId: number;
  clientId: string | null;
  /** Decoded body values by dotted path (`topicData.0.name`); arrays are indexed by number
   * and have a `length`. */
  expect: Record<string, ExpectedValue>;
  /** For Produce: its records, and the batch file cut from them (null when that file came from another frame). */
  records?: ExpectedRecords & { batchFile: string | null };
}

export interface BatchEntry extends ExpectedRecords {
  /** Path relative to test/golden/batches. */
  file: string;
  client: ClientName;
  clientVersion: string;
  topic: string;
  /** The frame fixture this batch was cut from. */
  frameFile: string | null;
}

export interface GoldenIndex {
  /** How the fixtures were made, for whoever recaptures them. */
  note: string;
  frames: FrameEntry[];
  batches: BatchEntry[];
}

/** Follows a dotted path through decoded objects and arrays; undefined when a step is missing. */
export function valueAt(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const step of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    if (Array.isArray(v)) v = step === 'length' ? v.length : v[Number(step)];
    else v = (v as Record<string, unknown>)[step];
  }
  return v;
}

/** Describes every expectation the decoded value does not meet; empty when all hold. */
export function unmetExpectations(decoded: unknown, expect: Record<string, ExpectedValue>): string[] {
  const unmet: string[] = [];
  for (const [path, want] of Object.entries(expect)) {
    const got = valueAt(decoded, path);
    if (got !== want) unmet.push(`${path}: expected ${JSON.stringify(want)}, decoded ${String(got)}`);
  }
  return unmet;
}
