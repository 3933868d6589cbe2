import { decodeResponse, encodeRequest } from '../../src/protocol/frame.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { FetchResponse } from '../../src/protocol/generated/messages/fetch-response.js';
import type { ProduceResponse } from '../../src/protocol/generated/messages/produce-response.js';
import { crc32c } from '../../src/protocol/primitives/crc32c.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { PipelinedConnection } from '../load/pipelined-connection.js';
import { LatencyRecorder, stampNowMs } from './latency.js';
import { pace } from './pacer.js';
import type { WorkerResult } from './worker-protocol.js';

/**
 * Kafka load over the wire protocol, for Strom or any Kafka-compatible peer: pre-encoded batches
 * of 16 × 1 KiB records (like a producer with linger), each stamped for end-to-end latency, and a
 * consumer that tails every partition with long-polling fetches.
 */
export const RECORD_BYTES = 1024;
export const RECORDS_PER_BATCH = 16;
const MARKER = Buffer.from('STROMSTAMP');

/** A batch template whose first record's value starts with an 8-byte stamp slot. */
function template(): { batch: Buffer; stampAt: number } {
  const values = Array.from({ length: RECORDS_PER_BATCH }, (_, i) => {
    const v = Buffer.alloc(RECORD_BYTES, 97 + (i % 26));
    if (i === 0) MARKER.copy(v, 8);
    return v;
  });
  const batch = encodeRecordBatch({
    baseTimestamp: BigInt(Date.now()),
    records: values.map((value, i) => ({ offsetDelta: i, timestampDelta: 0, key: null, value, headers: [] })),
  });
  return { batch, stampAt: batch.indexOf(MARKER) - 8 };
}

const TEMPLATE = template();
/** Where the stamp sits in every batch we produce; brokers keep record bytes as they are. */
export const STAMP_AT = TEMPLATE.stampAt;
export const BATCH_BYTES = TEMPLATE.batch.length;

/** Writes the stamp and the timestamps, then the CRC32C that covers them (from the attributes on). */
function stampBatch(batch: Buffer): void {
  const now = stampNowMs();
  batch.writeDoubleLE(now, STAMP_AT);
  const ms = BigInt(Math.floor(now));
  batch.writeBigInt64BE(ms, 27);
  batch.writeBigInt64BE(ms, 35);
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
}

export interface KafkaProduceSpec {
  kind: 'kafka-produce';
  host: string;
  port: number;
  topic: string;
  partitions: number[];
  acks: number;
  durationMs: number;
  rateBytesPerSec: number;
  window: number;
  /** Stop once this many bytes were sent (a backlog), even before durationMs. */
  bytesLimit?: number;
}

export async function kafkaProduce(spec: KafkaProduceSpec, ready: () => void): Promise<WorkerResult> {
  const conn = await PipelinedConnection.open(spec.host, spec.port);
  ready();
  let correlation = 1;
  let next = 0;
  let errors = 0;
  let firstError = '';
  // Batches are reused once acknowledged: a generator that allocates 16 KiB per send spends its
  // time in the garbage collector.
  const free: Buffer[] = [];
  const send = async (): Promise<void> => {
    const batch = free.pop() ?? Buffer.from(TEMPLATE.batch);
    stampBatch(batch);
    const id = correlation++;
    const partition = spec.partitions[next++ % spec.partitions.length]!;
    const frame = encodeRequest(ApiKey.Produce, 9, id, 'strom-bench', {
      acks: spec.acks,
      timeoutMs: 30_000,
      topicData: [{ name: spec.topic, partitionData: [{ index: partition, records: batch }] }],
    });
    const code = await new Promise<number>((resolve) =>
      conn.sendWith(frame, id, (res) => {
        const body = decodeResponse(ApiKey.Produce, 9, res).body as ProduceResponse;
        resolve(body.responses[0]!.partitionResponses[0]!.errorCode);
      }),
    );
    free.push(batch);
    if (code !== 0) {
      errors++;
      firstError ||= `produce error code ${code}`;
    }
  };
  const r = await pace(
    {
      durationMs: spec.durationMs,
      rateBytesPerSec: spec.rateBytesPerSec,
      unitBytes: BATCH_BYTES,
      window: spec.rateBytesPerSec > 0 ? 4096 : spec.window,
      ...(spec.bytesLimit ? { maxSends: Math.ceil(spec.bytesLimit / BATCH_BYTES) } : {}),
    },
    send,
  );
  conn.close();
  const ok = r.sends - errors;
  return {
    bytes: ok * BATCH_BYTES,
    messages: ok * RECORDS_PER_BATCH,
    seconds: r.seconds,
    errors: errors + r.skipped,
    ...(firstError
      ? { note: firstError }
      : r.skipped
        ? { note: `${r.skipped} sends skipped: fell behind` }
        : {}),
  };
}

export interface KafkaConsumeSpec {
  kind: 'kafka-consume';
  host: string;
  port: number;
  topic: string;
  partitionCount: number;
  /** Stop once every partition reached the high watermark of the first answer (a backlog read). */
  untilCaughtUp: boolean;
  latency: boolean;
}

/** Tails partitions from offset 0 until told to stop (stdin) and the last fetch came back empty. */
export async function kafkaConsume(
  spec: KafkaConsumeSpec,
  ready: () => void,
  stopRequested: () => boolean,
): Promise<WorkerResult> {
  const conn = await PipelinedConnection.open(spec.host, spec.port);
  const offsets = new Array<bigint>(spec.partitionCount).fill(0n);
  let target: bigint[] | null = null;
  const latency = new LatencyRecorder();
  let bytes = 0;
  let messages = 0;
  let correlation = 1;
  let t0 = 0;
  let lastDataAt = 0;
  const startedAt = stampNowMs();
  ready();
  for (;;) {
    const id = correlation++;
    const frame = encodeRequest(ApiKey.Fetch, 12, id, 'strom-bench', {
      replicaId: -1,
      maxWaitMs: spec.untilCaughtUp ? 0 : 100,
      minBytes: 1,
      maxBytes: 32 << 20,
      isolationLevel: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: spec.topic,
          partitions: offsets.map((o, p) => ({
            partition: p,
            fetchOffset: o,
            partitionMaxBytes: Math.max(1 << 20, Math.floor((32 << 20) / spec.partitionCount)),
          })),
        },
      ],
    });
    // The response is a view of the connection's receive buffer: read it before the handler returns.
    const { got, hw } = await new Promise<{ got: number; hw: bigint[] | null }>((resolve) =>
      conn.sendWith(frame, id, (res) => {
        const body = decodeResponse(ApiKey.Fetch, 12, res).body as FetchResponse;
        const got = readBatches(body);
        resolve({
          got,
          hw: spec.untilCaughtUp && target === null ? offsetsOf(body, spec.partitionCount) : null,
        });
      }),
    );
    if (got > 0) {
      if (t0 === 0) t0 = performance.now();
      lastDataAt = performance.now();
    }
    if (spec.untilCaughtUp) {
      target ??= hw!;
      if (target.every((w, i) => offsets[i]! >= w)) break;
    } else if (stopRequested() && got === 0) break;
  }
  conn.close();
  const end = spec.untilCaughtUp ? performance.now() : lastDataAt;
  const summary = latency.summary();
  return {
    bytes,
    messages,
    seconds: t0 === 0 ? 0 : (end - t0) / 1000,
    errors: 0,
    ...(summary ? { latency: summary } : {}),
  };

  /** Counts the new batches of every partition (and their latency) and moves the offsets on. */
  function readBatches(body: FetchResponse): number {
    let got = 0;
    for (const p of body.responses[0]?.partitions ?? []) {
      if (p.errorCode !== 0) continue;
      const data = p.records ?? Buffer.alloc(0);
      let at = 0;
      let last = offsets[p.partitionIndex]!;
      while (data.length - at >= 61) {
        const len = data.readInt32BE(at + 8);
        if (at + 12 + len > data.length) break;
        const base = data.readBigInt64BE(at);
        const count = data.readInt32BE(at + 57);
        if (base >= last) {
          // Batches stamped before this consumer started are the warm-up's.
          const stamp = data.readDoubleLE(at + STAMP_AT);
          if (spec.latency && 12 + len === BATCH_BYTES && stamp >= startedAt) latency.record(stamp, count);
          messages += count;
          bytes += 12 + len;
          got += 12 + len;
        }
        last = base + BigInt(data.readInt32BE(at + 23)) + 1n;
        at += 12 + len;
      }
      offsets[p.partitionIndex] = last;
    }
    return got;
  }
}

function offsetsOf(body: FetchResponse, count: number): bigint[] {
  const hw = new Array<bigint>(count).fill(0n);
  for (const p of body.responses[0]?.partitions ?? []) hw[p.partitionIndex] = p.highWatermark;
  return hw;
}
