import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { startBroker } from '../src/broker/start-broker.js';
import { decodeResponse, encodeRequest } from '../src/protocol/frame.js';
import { ApiKey } from '../src/protocol/generated/api-registry.js';
import type { FetchResponse } from '../src/protocol/generated/messages/fetch-response.js';
import type { ProduceResponse } from '../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../src/protocol/records/record-batch.js';
import { PipelinedConnection } from './load/pipelined-connection.js';
import { environment } from './measure.js';
import { rawWriteMBs } from './suite/ceilings.js';
import { KafkaAdmin } from './suite/kafka-admin.js';
import { settleDisk } from './suite/settle-disk.js';
import { rssMiB, startStrom, stopStrom } from './suite/strom-process.js';

/**
 * The broker benchmark: a pipelined load generator (like kafka-producer-perf-test, but sending
 * pre-encoded batches so the generator is not the bottleneck) against a broker process, with the
 * raw sequential write of the same bytes measured in the same run as the ceiling.
 */
const quick = process.argv.includes('--quick');
const SECONDS = quick ? 2 : 8;
const RECORD_BYTES = 1024;
const RECORDS_PER_BATCH = 16;
const IN_FLIGHT = 32;

const batch = encodeRecordBatch({
  baseTimestamp: BigInt(Date.now()),
  records: Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({
    offsetDelta: i,
    timestampDelta: 0,
    key: null,
    value: Buffer.alloc(RECORD_BYTES, 97 + (i % 26)),
    headers: [],
  })),
});

let correlation = 1;

async function createTopic(conn: PipelinedConnection, name: string, partitions: number): Promise<void> {
  const id = correlation++;
  await conn.send(
    encodeRequest(ApiKey.CreateTopics, 5, id, 'bench', {
      topics: [{ name, numPartitions: partitions, replicationFactor: 1 }],
      timeoutMs: 10000,
    }),
    id,
  );
}

interface ProduceFigures {
  mbs: number;
  p50: number;
  p99: number;
  p999: number;
  records: number;
}

/** Produces for SECONDS with IN_FLIGHT requests pipelined, or at `rateMBs` when given. */
async function produceLoad(
  conn: PipelinedConnection,
  topic: string,
  partitions: number,
  acks: number,
  rateMBs?: number,
): Promise<ProduceFigures> {
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const deadline = performance.now() + SECONDS * 1000;
  let bytes = 0;
  let errors = 0;
  const t0 = performance.now();
  // As the Java producer's sender does (and so kafka-producer-perf-test): one request carries a
  // ready batch for every partition the broker leads, not one request per batch.
  const partitionData = Array.from({ length: partitions }, (_, index) => ({ index, records: batch }));
  const requestBytes = batch.length * partitions;
  const intervalMs = rateMBs ? (requestBytes / 1e6 / rateMBs) * 1000 : 0;
  let due = t0;
  const sendOne = async (): Promise<void> => {
    const id = correlation++;
    const frame = encodeRequest(ApiKey.Produce, 9, id, 'bench', {
      acks,
      timeoutMs: 30000,
      topicData: [{ name: topic, partitionData }],
    });
    await new Promise<void>((resolve) =>
      conn.sendWith(frame, id, (res, latencyNs) => {
        const body = decodeResponse(ApiKey.Produce, 9, res).body as ProduceResponse;
        for (const p of body.responses[0]!.partitionResponses) if (p.errorCode !== 0) errors++;
        histogram.recordValue(Number(latencyNs / 1000n));
        bytes += requestBytes;
        resolve();
      }),
    );
  };
  const workers = Array.from({ length: rateMBs ? 1 : IN_FLIGHT }, async () => {
    while (performance.now() < deadline) {
      if (rateMBs) {
        due += intervalMs;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        void sendOne();
      } else await sendOne();
    }
  });
  await Promise.all(workers);
  while (conn.inFlight > 0) await new Promise((r) => setTimeout(r, 1));
  const s = (performance.now() - t0) / 1000;
  if (errors > 0) console.log(`  (${errors} produce errors)`);
  return {
    mbs: bytes / 1e6 / s,
    p50: histogram.getValueAtPercentile(50) / 1000,
    p99: histogram.getValueAtPercentile(99) / 1000,
    p999: histogram.getValueAtPercentile(99.9) / 1000,
    records: (bytes / batch.length) * RECORDS_PER_BATCH,
  };
}

/** Reads a topic back from offset 0 (from the page cache) and reports MB/s. */
async function consumeAll(conn: PipelinedConnection, topic: string, partitions: number): Promise<number> {
  const offsets = new Array(partitions).fill(0n) as bigint[];
  const done = new Array(partitions).fill(false) as boolean[];
  let bytes = 0;
  const t0 = performance.now();
  while (done.some((d) => !d)) {
    const id = correlation++;
    const frame = encodeRequest(ApiKey.Fetch, 12, id, 'bench', {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 64 << 20,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          partitions: offsets.map((o, p) => ({ partition: p, fetchOffset: o, partitionMaxBytes: 8 << 20 })),
        },
      ],
    });
    // The response is read in place (a view of the connection's buffer), as a consumer would.
    await new Promise<void>((resolve) =>
      conn.sendWith(frame, id, (res) => {
        const body = decodeResponse(ApiKey.Fetch, 12, res).body as FetchResponse;
        for (const p of body.responses[0]!.partitions) {
          const data = p.records ?? Buffer.alloc(0);
          bytes += data.length;
          let at = 0;
          let last = offsets[p.partitionIndex]!;
          while (data.length - at >= 61) {
            const len = data.readInt32BE(at + 8);
            if (at + 12 + len > data.length) break;
            last = data.readBigInt64BE(at) + BigInt(data.readInt32BE(at + 23)) + 1n;
            at += 12 + len;
          }
          offsets[p.partitionIndex] = last;
          if (last >= p.highWatermark) done[p.partitionIndex] = true;
        }
        resolve();
      }),
    );
  }
  return bytes / 1e6 / ((performance.now() - t0) / 1000);
}

/** Opens `count` connections that send nothing and measures what they cost the broker. */
async function idleConnections(
  port: number,
  pid: number,
  count: number,
): Promise<{ count: number; rssDeltaMb: number }> {
  const before = rssMiB(pid);
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) {
    sockets.push(
      await new Promise<Socket>((res, rej) => {
        const s = connect({ host: '127.0.0.1', port }, () => res(s));
        s.once('error', rej);
      }),
    );
  }
  await new Promise((r) => setTimeout(r, 500));
  const after = rssMiB(pid);
  for (const s of sockets) s.destroy();
  return { count, rssDeltaMb: after - before };
}

/** The programmatic start a test suite pays: startBroker() until it answers. */
async function timeStartBroker(): Promise<number> {
  await startBroker().then((b) => b.close());
  const t0 = performance.now();
  const b = await startBroker();
  const ms = performance.now() - t0;
  await b.close();
  return ms;
}

/**
 * Start to listening of `strom server` on an empty data dir, process spawn included: the median of
 * three starts, measured first, before the ceilings' gigabytes of writes make the machine busy.
 */
async function timeStromStart(dir: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = await startStrom({ dataDir: join(dir, `start-${i}`) });
    times.push(s.startMs);
    await stopStrom(s);
  }
  return times.sort((a, b) => a - b)[1]!;
}

async function main(): Promise<void> {
  console.log(`broker benchmark, ${SECONDS}s per workload, ${environment()}`);
  const dir = mkdtempSync(join(tmpdir(), 'strom-bench-'));
  const results: Record<string, number | string> = {};
  try {
    const startMs = await timeStromStart(dir);
    // Every measurement starts from a settled disk: none pays for the writeback of the one before.
    settleDisk();
    const rawBuffered = rawWriteMBs(dir, false, SECONDS, batch);
    settleDisk();
    const rawFsync = rawWriteMBs(dir, true, SECONDS, batch);
    console.log(
      `ceiling: raw sequential write ${rawBuffered.toFixed(0)} MB/s buffered, ${rawFsync.toFixed(0)} MB/s with fsync per MiB`,
    );
    results.rawBufferedMBs = rawBuffered;
    results.rawFsyncMBs = rawFsync;

    settleDisk();
    const strom = await startStrom({ dataDir: join(dir, 'data') });
    const { child, port } = strom;
    await new Promise((r) => setTimeout(r, 300));
    const idleRss = rssMiB(child.pid!);
    console.log(
      `start to listening ${startMs.toFixed(0)} ms (process spawn included, median of 3), idle RSS ${idleRss.toFixed(0)} MB`,
    );
    results.startMs = startMs;
    results.idleRssMb = idleRss;
    const conn = await PipelinedConnection.open('127.0.0.1', port);
    const admin = await KafkaAdmin.open('127.0.0.1', port);
    for (const partitions of [1, 16]) {
      for (const acks of [1, -1]) {
        const topic = `bench-${partitions}-${acks === 1 ? 'acks1' : 'acksall'}`;
        await createTopic(conn, topic, partitions);
        settleDisk();
        const f = await produceLoad(conn, topic, partitions, acks);
        const ratio = f.mbs / rawBuffered;
        console.log(
          `produce ${partitions} partition(s) acks=${acks === 1 ? '1' : 'all'}: ${f.mbs.toFixed(0)} MB/s (${ratio.toFixed(2)}× raw), ` +
            `latency p50 ${f.p50.toFixed(2)} ms p99 ${f.p99.toFixed(2)} ms p99.9 ${f.p999.toFixed(2)} ms`,
        );
        results[`produce.${topic}.MBs`] = f.mbs;
        results[`produce.${topic}.ratio`] = ratio;
        results[`produce.${topic}.p99ms`] = f.p99;
        if (partitions === 16 && acks === 1) {
          const c = await consumeAll(conn, topic, partitions);
          console.log(`consume ${partitions} partitions from page cache: ${c.toFixed(0)} MB/s`);
          results.consumeMBs = c;
        }
        // As the suite does: the next workload must not pay for writing back this one's gigabytes
        // (the kernel throttles writers once dirty pages pass its limit).
        await admin.deleteTopic(topic);
      }
    }
    admin.close();
    await createTopic(conn, 'bench-rate', 16);
    const fixed = await produceLoad(conn, 'bench-rate', 16, 1, 50);
    console.log(
      `produce at 50 MB/s (achieved ${fixed.mbs.toFixed(0)}): latency p50 ${fixed.p50.toFixed(2)} ms p99 ${fixed.p99.toFixed(2)} ms p99.9 ${fixed.p999.toFixed(2)} ms`,
    );
    results.fixedRateP99Ms = fixed.p99;
    conn.close();
    await stopStrom(strom);
    // On a fresh broker left idle until V8's memory reducer has run (8 s after start): after the
    // loads above, the garbage they left would be collected while connecting and hide the growth.
    const fresh = await startStrom({ dataDir: join(dir, 'idle') });
    await new Promise((r) => setTimeout(r, 10_000));
    const idle = await idleConnections(fresh.port, fresh.child.pid!, quick ? 1000 : 5000);
    console.log(
      `${idle.count} idle connections: +${idle.rssDeltaMb.toFixed(1)} MB RSS (${((idle.rssDeltaMb * 1024) / idle.count).toFixed(1)} KiB each)`,
    );
    results.idleConnectionKiB = (idle.rssDeltaMb * 1024) / idle.count;
    await stopStrom(fresh);
    const inProcess = await timeStartBroker();
    console.log(
      `startBroker() in-process: ${inProcess.toFixed(0)} ms to a listening broker on a fresh temp dir`,
    );
    results.startBrokerMs = inProcess;
    console.log(`BENCH_JSON ${JSON.stringify(results)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
