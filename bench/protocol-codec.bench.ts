/**
 * Protocol codec throughput: encode and decode a Produce request of 1,000 × 1 KiB records and
 * decode a Fetch response carrying 1 MiB of records, beside a plain Buffer.copy of the same bytes
 * measured in the same run. Prints figures; asserts nothing.
 */
import { cpus } from 'node:os';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../src/protocol/frame.js';
import { ApiKey, MetadataResponse, ProduceRequest } from '../src/protocol/generated/index.js';
import { Reader } from '../src/protocol/primitives/reader.js';
import { decodeRequestHeader } from '../src/protocol/request-header.js';

const RECORD_BYTES = 1024;
const RECORD_COUNT = 1000;
const REPETITIONS = 15;
const TARGET_MS_PER_REPETITION = 100;

interface Result {
  readonly name: string;
  readonly bytes: number;
  readonly medianNs: number;
  readonly minNs: number;
  readonly maxNs: number;
}

/** Per-op time for each repetition, after a warm-up long enough for the JIT to settle. */
function measure(name: string, bytes: number, op: () => unknown): Result {
  let sink: unknown;
  const warmEnd = performance.now() + 200;
  let perRep = 0;
  while (performance.now() < warmEnd) {
    sink = op();
    perRep++;
  }
  // Scale the batch so each repetition lasts about TARGET_MS_PER_REPETITION.
  perRep = Math.max(1, Math.round((perRep * TARGET_MS_PER_REPETITION) / 200));
  const samples: number[] = [];
  for (let rep = 0; rep < REPETITIONS; rep++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < perRep; i++) sink = op();
    samples.push(Number(process.hrtime.bigint() - t0) / perRep);
  }
  if (sink === undefined) console.log('');
  samples.sort((a, b) => a - b);
  return {
    name,
    bytes,
    medianNs: samples[Math.floor(samples.length / 2)]!,
    minNs: samples[0]!,
    maxNs: samples[samples.length - 1]!,
  };
}

function print(r: Result, baseline: Result | null): void {
  const opsPerS = 1e9 / r.medianNs;
  const mbPerS = (r.bytes / r.medianNs) * 1e3;
  const spread = ((r.maxNs - r.minNs) / r.medianNs) * 100;
  const ratio = baseline ? `  ${(r.medianNs / baseline.medianNs).toFixed(2)}× baseline time` : '';
  console.log(
    `${r.name.padEnd(44)} ${opsPerS.toFixed(0).padStart(9)} ops/s ${mbPerS.toFixed(0).padStart(7)} MB/s ` +
      `median ${(r.medianNs / 1e3).toFixed(1).padStart(8)} µs  spread ±${(spread / 2).toFixed(1)}%${ratio}`,
  );
}

const records = Buffer.alloc(RECORD_BYTES * RECORD_COUNT);
for (let i = 0; i < records.length; i++) records[i] = (i * 31) & 0xff;
const produce = {
  transactionalId: null,
  acks: -1,
  timeoutMs: 30000,
  topicData: [{ name: 'bench-topic', partitionData: [{ index: 0, records }] }],
};
const PRODUCE_VERSION = 9;
const FETCH_VERSION = 16;

const produceFrame = Buffer.concat(
  encodeRequest(ApiKey.Produce, PRODUCE_VERSION, 1, 'bench', produce),
).subarray(4);
const headerReader = new Reader(produceFrame);
decodeRequestHeader(headerReader);
const produceBodyStart = headerReader.pos;
const fetch = {
  throttleTimeMs: 0,
  errorCode: 0,
  sessionId: 1,
  responses: [
    {
      topicId: 'AQIDBAUGBwgJCgsMDQ4PEA',
      partitions: [
        { partitionIndex: 0, highWatermark: 1000n, lastStableOffset: 1000n, logStartOffset: 0n, records },
      ],
    },
  ],
};
const fetchFrame = Buffer.concat(encodeResponse(ApiKey.Fetch, FETCH_VERSION, 1, fetch)).subarray(4);
const copyTarget = Buffer.allocUnsafe(records.length);

// Many small fields and no record data: what the generated code itself costs per field.
const metadata = {
  brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
  clusterId: 'bench',
  controllerId: 1,
  topics: Array.from({ length: 100 }, (_, t) => ({
    errorCode: 0,
    name: `topic-${t}`,
    topicId: 'AQIDBAUGBwgJCgsMDQ4PEA',
    partitions: Array.from({ length: 10 }, (_, p) => ({
      partitionIndex: p,
      leaderId: 1,
      leaderEpoch: 5,
      replicaNodes: [1, 2, 3],
      isrNodes: [1, 2, 3],
      offlineReplicas: [],
    })),
  })),
};
const METADATA_VERSION = 12;
const metadataBytes = MetadataResponse.encode(METADATA_VERSION, metadata);
const metadataCopy = Buffer.allocUnsafe(metadataBytes.length);

console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores`);
console.log(
  `records ${RECORD_COUNT} × ${RECORD_BYTES} B = ${records.length} B; ${REPETITIONS} repetitions of ~${TARGET_MS_PER_REPETITION} ms after warm-up`,
);
const baseline = measure('baseline: Buffer.copy of the records', records.length, () =>
  records.copy(copyTarget, 0),
);
print(baseline, null);
const results = [
  measure('Produce v9 encodeRequest (chunks, zero-copy)', produceFrame.length, () =>
    encodeRequest(ApiKey.Produce, PRODUCE_VERSION, 1, 'bench', produce),
  ),
  measure('Produce v9 encode to one Buffer (copies)', produceFrame.length, () =>
    ProduceRequest.encode(PRODUCE_VERSION, produce),
  ),
  measure('Produce v9 decodeRequest', produceFrame.length, () => decodeRequest(produceFrame)),
  measure('Produce v9 body read (Reader)', produceFrame.length, () => {
    const r = new Reader(produceFrame, produceBodyStart);
    return ProduceRequest.read(r, PRODUCE_VERSION);
  }),
  measure('Fetch v16 decodeResponse (1 MiB records)', fetchFrame.length, () =>
    decodeResponse(ApiKey.Fetch, FETCH_VERSION, fetchFrame),
  ),
];
for (const r of results) print(r, baseline);
console.log(`Metadata v12 response, 100 topics × 10 partitions: ${metadataBytes.length} B`);
const metadataBaseline = measure('baseline: Buffer.copy of the response', metadataBytes.length, () =>
  metadataBytes.copy(metadataCopy, 0),
);
print(metadataBaseline, null);
print(
  measure('Metadata v12 response encode', metadataBytes.length, () =>
    MetadataResponse.encode(METADATA_VERSION, metadata),
  ),
  metadataBaseline,
);
print(
  measure('Metadata v12 response decode', metadataBytes.length, () =>
    MetadataResponse.decode(METADATA_VERSION, metadataBytes),
  ),
  metadataBaseline,
);
