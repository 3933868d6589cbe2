import { ErrorCode } from '../../protocol/error-codes.js';
import { FetchRequest } from '../../protocol/generated/messages/fetch-request.js';
import { FetchResponse } from '../../protocol/generated/messages/fetch-response.js';
import { ProduceRequest } from '../../protocol/generated/messages/produce-request.js';
import { ProduceResponse } from '../../protocol/generated/messages/produce-response.js';
import type { RecordHeader } from '../../protocol/records/record.js';
import {
  decodeRecordBatch,
  encodeRecordBatch,
  recordOffset,
  recordTimestamp,
} from '../../protocol/records/record-batch.js';
import { splitBatches } from '../../protocol/records/record-batch-header.js';
import { badRequest, checkKafka, intParam, intValue, type KafkaAs } from './api-support.js';
import { describeTopicMetadata, EARLIEST, LATEST, listOffsets } from './topics-api.js';

/** Records one page of the message browser holds at most. */
export const MESSAGES_PAGE_MAX = 200;
/** Bytes of a key, value or header value sent to the page; the rest is cut (`truncated`). */
export const SHOWN_BYTES_MAX = 16 * 1024;
/** Bytes one Fetch may return, and bytes of batches one browse may read in all. */
const FETCH_BYTES = 1024 * 1024;
const SCAN_BYTES_MAX = 8 * 1024 * 1024;
/** How far back from the end a filtered "newest" browse looks for matches. */
const NEWEST_FILTERED_WINDOW = 10_000;
/** Largest batch the browser decompresses (a compressed batch larger than this is refused). */
const DECOMPRESSED_MAX = 16 * 1024 * 1024;

export interface BrowsedRecord {
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  /** Base64 of the key, value and header values (up to SHOWN_BYTES_MAX each); null for null. */
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: readonly { key: string; value: string | null }[];
  readonly keyBytes: number;
  readonly valueBytes: number;
  readonly truncated: boolean;
}

type Mode = 'newest' | 'oldest' | 'offset' | 'timestamp' | 'positions';
const MODES: readonly Mode[] = ['newest', 'oldest', 'offset', 'timestamp', 'positions'];

/**
 * GET /api/topics/:name/messages: reads records of one partition (or every partition) from the
 * oldest, the newest, an offset, a timestamp, or given positions (the live tail asks with the
 * `next` positions of its last answer), optionally keeping only records whose key contains `key`
 * or whose key, value or header values contain `filter`. What one request reads is bounded:
 * at most `limit` records (≤ MESSAGES_PAGE_MAX) and SCAN_BYTES_MAX bytes of batches per partition,
 * through Fetch requests of at most FETCH_BYTES, as a consumer would.
 */
export async function browseMessages(kafka: KafkaAs, topic: string, q: URLSearchParams) {
  const t = await describeTopicMetadata(kafka, topic);
  const all = t.partitions.map((p) => p.partitionIndex).sort((a, b) => a - b);
  const mode = (q.get('mode') ?? 'newest') as Mode;
  if (!MODES.includes(mode)) throw badRequest(`mode must be one of ${MODES.join(', ')}`);
  const limit = intParam(q, 'limit', 50, 1, MESSAGES_PAGE_MAX);
  const keyFilter = q.get('key') ?? '';
  const textFilter = q.get('filter') ?? '';
  if (keyFilter.length > 1024 || textFilter.length > 1024)
    throw badRequest('filters are at most 1024 characters');
  const partitionParam = q.get('partition') ?? 'all';
  let partitions: number[];
  if (partitionParam === 'all') partitions = all;
  else {
    const p = intValue(partitionParam, 'partition', 0, 1_000_000);
    if (!all.includes(p)) checkKafka(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic} has no partition ${p}`);
    partitions = [p];
  }
  const [earliest, latest] = await Promise.all([
    listOffsets(kafka, topic, partitions, EARLIEST),
    listOffsets(kafka, topic, partitions, LATEST),
  ]);
  const starts = await startOffsets(
    kafka,
    topic,
    partitions,
    mode,
    q,
    limit,
    earliest,
    latest,
    keyFilter || textFilter,
  );
  const match = matcher(keyFilter, textFilter);
  const records: BrowsedRecord[] = [];
  const next: Record<number, number> = {};
  for (const p of partitions) {
    const end = latest.get(p) ?? 0;
    const start = Math.max(starts.get(p) ?? 0, earliest.get(p) ?? 0);
    // "newest" keeps the last matches of the window it reads; the others the first.
    const read = await readPartition(kafka, topic, p, start, end, limit, mode === 'newest', match);
    next[p] = read.next;
    records.push(...read.records);
  }
  records.sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset);
  const page = mode === 'newest' ? records.slice(-limit) : records.slice(0, limit);
  return { topic, partitions, records: page, next };
}

async function startOffsets(
  kafka: KafkaAs,
  topic: string,
  partitions: number[],
  mode: Mode,
  q: URLSearchParams,
  limit: number,
  earliest: Map<number, number | null>,
  latest: Map<number, number | null>,
  filtered: string,
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  switch (mode) {
    case 'oldest':
      for (const p of partitions) out.set(p, earliest.get(p) ?? 0);
      return out;
    case 'newest': {
      const window = filtered ? NEWEST_FILTERED_WINDOW : limit;
      for (const p of partitions) out.set(p, Math.max(earliest.get(p) ?? 0, (latest.get(p) ?? 0) - window));
      return out;
    }
    case 'offset': {
      const offset = intValue(q.get('value'), 'value', 0, Number.MAX_SAFE_INTEGER);
      for (const p of partitions) out.set(p, offset);
      return out;
    }
    case 'timestamp': {
      const ts = intValue(q.get('value'), 'value', 0, Number.MAX_SAFE_INTEGER);
      const found = await listOffsets(kafka, topic, partitions, BigInt(ts));
      for (const p of partitions) out.set(p, found.get(p) ?? latest.get(p) ?? 0);
      return out;
    }
    case 'positions': {
      const raw = q.get('positions') ?? '';
      for (const part of raw.split(',').filter((s) => s !== '')) {
        const m = /^(\d+):(\d+)$/.exec(part);
        if (m === null) throw badRequest('positions must be partition:offset pairs separated by commas');
        const p = Number(m[1]);
        if (partitions.includes(p)) out.set(p, Number(m[2]));
      }
      for (const p of partitions) if (!out.has(p)) out.set(p, latest.get(p) ?? 0);
      return out;
    }
  }
}

type Match = (key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[]) => boolean;

function matcher(keyFilter: string, textFilter: string): Match {
  const key = keyFilter === '' ? null : Buffer.from(keyFilter, 'utf8');
  const text = textFilter === '' ? null : Buffer.from(textFilter, 'utf8');
  return (k, v, headers) => {
    if (key !== null && (k === null || !k.includes(key))) return false;
    if (text === null) return true;
    if (k?.includes(text) || v?.includes(text)) return true;
    return headers.some((h) => h.key.includes(textFilter) || h.value?.includes(text) === true);
  };
}

async function readPartition(
  kafka: KafkaAs,
  topic: string,
  partition: number,
  start: number,
  end: number,
  limit: number,
  keepLast: boolean,
  match: Match,
): Promise<{ records: BrowsedRecord[]; next: number }> {
  const records: BrowsedRecord[] = [];
  let offset = start;
  let scanned = 0;
  // Reading for the last matches never stops at `limit` (older ones are dropped instead).
  const full = (): boolean => !keepLast && records.length >= limit;
  while (!full() && offset < end && scanned < SCAN_BYTES_MAX) {
    const res = await kafka.send(FetchRequest, FetchResponse, 12, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: FETCH_BYTES,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          partitions: [
            { partition, fetchOffset: BigInt(offset), partitionMaxBytes: FETCH_BYTES, logStartOffset: -1n },
          ],
        },
      ],
    });
    checkKafka(res.errorCode);
    const pd = res.responses[0]?.partitions[0];
    if (pd === undefined) break;
    if (pd.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      offset = Number(pd.logStartOffset);
      continue;
    }
    checkKafka(pd.errorCode);
    if (pd.records === null || pd.records.length === 0) break;
    scanned += pd.records.length;
    const before = offset;
    for (const batch of splitBatches(pd.records).batches) {
      const b = decodeRecordBatch(batch, { maxBytes: DECOMPRESSED_MAX });
      const batchEnd = Number(b.baseOffset) + b.lastOffsetDelta + 1;
      if (!b.control) {
        for (const r of b.records) {
          const o = Number(recordOffset(b, r));
          if (o < offset || full()) continue;
          if (!match(r.key, r.value, r.headers)) continue;
          records.push(shown(partition, o, Number(recordTimestamp(b, r)), r.key, r.value, r.headers));
          if (records.length > limit) records.shift();
          if (full()) offset = o + 1;
        }
      }
      if (!full()) offset = Math.max(offset, batchEnd);
    }
    if (offset === before) break; // nothing past the fetch offset: do not ask again
  }
  return { records, next: offset };
}

function shown(
  partition: number,
  offset: number,
  timestamp: number,
  key: Buffer | null,
  value: Buffer | null,
  headers: readonly RecordHeader[],
): BrowsedRecord {
  let truncated = false;
  const cut = (b: Buffer | null): string | null => {
    if (b === null) return null;
    if (b.length > SHOWN_BYTES_MAX) truncated = true;
    return b.subarray(0, SHOWN_BYTES_MAX).toString('base64');
  };
  return {
    partition,
    offset,
    timestamp,
    key: cut(key),
    value: cut(value),
    headers: headers.slice(0, 64).map((h) => ({ key: h.key, value: cut(h.value) })),
    keyBytes: key?.length ?? -1,
    valueBytes: value?.length ?? -1,
    truncated,
  };
}

/**
 * POST /api/topics/:name/messages {partition, key, value, headers: [{key, value}]}: produces one
 * record (text, UTF-8) with acks=all, as a test message; answers its partition and offset.
 */
export async function produceMessage(kafka: KafkaAs, topic: string, body: Record<string, unknown>) {
  const partition = intValue(body.partition ?? 0, 'partition', 0, 1_000_000);
  const text = (name: string, v: unknown): Buffer | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') throw badRequest(`${name} must be a string or null`);
    return Buffer.from(v, 'utf8');
  };
  const rawHeaders = body.headers ?? [];
  if (!Array.isArray(rawHeaders) || rawHeaders.length > 64)
    throw badRequest('headers must be an array of at most 64');
  const headers: RecordHeader[] = rawHeaders.map((h: unknown, i) => {
    const o = h as { key?: unknown; value?: unknown } | null;
    if (typeof o !== 'object' || o === null || typeof o.key !== 'string' || o.key === '') {
      throw badRequest(`headers[${i}] must be {key, value} with a non-empty key`);
    }
    return { key: o.key, value: text(`headers[${i}].value`, o.value) };
  });
  const batch = encodeRecordBatch({
    baseTimestamp: BigInt(Date.now()),
    records: [
      {
        offsetDelta: 0,
        timestampDelta: 0,
        key: text('key', body.key),
        value: text('value', body.value),
        headers,
      },
    ],
  });
  const res = await kafka.send(ProduceRequest, ProduceResponse, 9, {
    acks: -1,
    timeoutMs: 30_000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
  });
  const r = res.responses[0]?.partitionResponses[0];
  if (r === undefined) throw badRequest('no answer for the partition');
  checkKafka(r.errorCode, r.errorMessage);
  return { topic, partition, offset: Number(r.baseOffset) };
}
