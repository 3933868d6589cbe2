import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { decodeResponse, encodeRequest } from '../../src/protocol/frame.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { FetchResponse } from '../../src/protocol/generated/messages/fetch-response.js';
import type { ProduceResponse } from '../../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { RawClient } from '../helpers/raw-client.js';
import { request } from '../helpers/request.js';
import { freePort, type ServerProcess, startServerProcess } from '../helpers/server-process.js';

const MiB = 1024 * 1024;
/** The broker's limits in this test, scaled down from the defaults so the data set stays small. */
const FETCH_MAX_BYTES = 8 * MiB;
const RESPONSE_BYTES = 8 * MiB;
const REQUEST_MAX_BYTES = 24 * MiB;
const QUEUED_REQUEST_BYTES = 24 * MiB;
const BATCH_BYTES = 1 * MiB;
/** The topic holds three times fetch.max.bytes: a fetch that ignored it would read all of it. */
const BATCHES = 24;
/**
 * What RSS may grow by beyond the documented bound (docs/reliability.md): V8's young generation
 * and the garbage of decoding a few hundred requests. Far below what any attack reached before
 * the limits held (gigabytes, or 8 x 23 MiB).
 */
const SLACK_BYTES = 40 * MiB;
const TOPIC = 'attack';

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0; // the process is gone
  }
}

const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;

/**
 * Runs `attack` while sampling the broker's RSS from /proc every few milliseconds, then checks the
 * peak against `base + growthBound + SLACK_BYTES` before anything the attack itself asserts. The
 * broker is killed as soon as it passes the bound, so a failing run ends at once instead of taking
 * the machine's memory.
 */
async function checkRssDuring(
  server: ServerProcess,
  base: number,
  growthBound: number,
  what: string,
  attack: () => Promise<void>,
): Promise<void> {
  const pid = server.child.pid!;
  const bound = base + growthBound + SLACK_BYTES;
  let peak = rssBytes(pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid));
    if (peak > bound) server.child.kill('SIGKILL');
  }, 5);
  let failure: unknown = null;
  try {
    await attack();
  } catch (err) {
    failure = err;
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, rssBytes(pid));
  console.log(`${what}: peak RSS ${mib(peak)}, base ${mib(base)}, bound ${mib(bound)}`);
  assert.ok(
    peak <= bound,
    `${what}: peak RSS ${mib(peak)} above the bound ${mib(bound)} (base ${mib(base)})`,
  );
  if (failure !== null) throw failure;
}

function fetchV4(correlationId: number, fetchOffset: bigint, maxBytes: number): Buffer[] {
  return encodeRequest(ApiKey.Fetch, 4, correlationId, 'attacker', {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes,
    isolationLevel: 0,
    topics: [{ topic: TOPIC, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: maxBytes }] }],
  });
}

/** A broker process with this test's limits, by default on a free port and a fresh data directory. */
async function startLimitedBroker(
  dir = mkdtempSync(join(tmpdir(), 'strom-attack-')),
  port?: number,
): Promise<{ server: ServerProcess; dir: string }> {
  port ??= await freePort();
  const override = (kv: string) => ['--override', kv];
  const server = await startServerProcess(
    [
      `listeners=PLAINTEXT://127.0.0.1:${port}`,
      `log.dirs=${dir}`,
      `fetch.max.bytes=${FETCH_MAX_BYTES}`,
      `strom.queued.max.response.bytes=${RESPONSE_BYTES}`,
      `socket.request.max.bytes=${REQUEST_MAX_BYTES}`,
      `queued.max.request.bytes=${QUEUED_REQUEST_BYTES}`,
    ].flatMap(override),
    port,
  );
  return { server, dir };
}

async function stopBroker(server: ServerProcess | undefined, dir: string | undefined): Promise<void> {
  server?.child.kill('SIGKILL');
  await server?.exited;
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Asks something small on a fresh connection: the broker still serves others. */
async function probeApiVersions(bootstrap: string): Promise<void> {
  const c = await RawClient.open(bootstrap);
  try {
    c.write(encodeRequest(ApiKey.ApiVersions, 0, 7, 'probe', {}));
    const frame = await c.readFrame(10_000);
    assert.ok(frame, 'the probe is answered');
    assert.equal(decodeResponse(ApiKey.ApiVersions, 0, frame).correlationId, 7);
  } finally {
    c.close();
  }
}

/**
 * Attacks from issue reports: a client that pipelines huge fetches and never reads, one that reads
 * as fast as it can, and connections that send most of a huge request and stop. The broker runs as
 * a child process; its RSS must stay under the bound docs/reliability.md gives for its settings
 * while another client is still served.
 */
describe('memory attacks through Fetch on a broker process', () => {
  let server: ServerProcess;
  let dir: string;
  let baseRss = 0;

  /** Asks something small on a fresh connection, a fetch too: the broker still serves others. */
  async function probe(): Promise<void> {
    await probeApiVersions(server.bootstrap);
    const c = await RawClient.open(server.bootstrap);
    try {
      c.write(fetchV4(8, 0n, 1024));
      const fetched = await c.readFrame(10_000);
      assert.ok(fetched, "the probe's fetch is answered");
      const body = decodeResponse(ApiKey.Fetch, 4, fetched).body as FetchResponse;
      assert.equal(body.responses[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    } finally {
      c.close();
    }
  }

  before(async () => {
    ({ server, dir } = await startLimitedBroker());
    await request(server.bootstrap, ApiKey.CreateTopics, 5, {
      topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 1 }],
      timeoutMs: 10_000,
    });
    const value = Buffer.alloc(BATCH_BYTES - 128, 7);
    for (let b = 0; b < BATCHES; b++) {
      const batch = encodeRecordBatch({
        baseTimestamp: 1n,
        records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value, headers: [] }],
      });
      const res = await request<ProduceResponse>(server.bootstrap, ApiKey.Produce, 9, {
        acks: 1,
        timeoutMs: 10_000,
        topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch }] }],
      });
      assert.equal(res.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    }
    await warmUp();
  });

  /** One fetch of the largest size the broker serves, so its buffers exist in the base RSS. */
  async function warmUp(): Promise<void> {
    const c = await RawClient.open(server.bootstrap);
    c.write(fetchV4(1, 0n, 50 * MiB));
    assert.ok(await c.readFrame(10_000));
    c.close();
    await probe();
    baseRss = rssBytes(server.child.pid!);
  }

  // A broker killed for passing the bound (a failing run) is restarted on its data for the next attack.
  beforeEach(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) return;
    const port = Number(server.bootstrap.split(':')[1]);
    ({ server } = await startLimitedBroker(dir, port));
    await warmUp();
  });

  after(() => stopBroker(server, dir));

  /** One response may be read at a time: the budget, or fetch.max.bytes plus a batch beyond it. */
  const FETCH_GROWTH = Math.max(RESPONSE_BYTES, FETCH_MAX_BYTES + BATCH_BYTES);

  it('100 pipelined 50 MiB fetches sent in one write and never read', async () => {
    const c = await RawClient.open(server.bootstrap);
    try {
      await checkRssDuring(server, baseRss, FETCH_GROWTH, 'unread fetches', async () => {
        c.pause();
        c.write(Buffer.concat(Array.from({ length: 100 }, (_, i) => fetchV4(100 + i, 0n, 50 * MiB)).flat()));
        // Give the broker time to do all it would do with them, then check others are served.
        await new Promise((r) => setTimeout(r, 1500));
        await probe();
      });
    } finally {
      c.close();
    }
  });

  it('40 pipelined 50 MiB fetches read as fast as the client can', async () => {
    const c = await RawClient.open(server.bootstrap);
    try {
      await checkRssDuring(server, baseRss, FETCH_GROWTH, 'fetches read at once', async () => {
        c.write(
          Buffer.concat(
            Array.from({ length: 40 }, (_, i) => fetchV4(200 + i, BigInt(i % BATCHES), 50 * MiB)).flat(),
          ),
        );
        const probed = probe();
        for (let i = 0; i < 40; i++) {
          const frame = await c.readFrame(30_000);
          assert.ok(frame, `response ${i}`);
          const res = decodeResponse(ApiKey.Fetch, 4, frame);
          assert.equal(res.correlationId, 200 + i);
          const p = (res.body as FetchResponse).responses[0]!.partitions[0]!;
          assert.equal(p.errorCode, ErrorCode.NONE);
          assert.ok(
            p.records!.length > 0 && p.records!.length <= FETCH_MAX_BYTES,
            `${p.records!.length} bytes`,
          );
        }
        await probed;
      });
    } finally {
      c.close();
    }
  });
});

describe('memory attack through partial requests on a broker process', () => {
  let server: ServerProcess;
  let dir: string;
  before(async () => {
    ({ server, dir } = await startLimitedBroker());
    await probeApiVersions(server.bootstrap);
  });
  after(() => stopBroker(server, dir));

  it('8 connections each sending most of a request of the largest size, then nothing', async () => {
    const body = Buffer.alloc(REQUEST_MAX_BYTES - MiB, 1);
    const size = Buffer.alloc(4);
    size.writeInt32BE(REQUEST_MAX_BYTES - 1);
    const clients = await Promise.all(Array.from({ length: 8 }, () => RawClient.open(server.bootstrap)));
    try {
      // The request pool, plus the one request non-strict admission lets past it.
      const growth = QUEUED_REQUEST_BYTES + REQUEST_MAX_BYTES;
      await checkRssDuring(server, rssBytes(server.child.pid!), growth, 'partial requests', async () => {
        for (const c of clients) c.write([size, body]);
        await new Promise((r) => setTimeout(r, 1500));
        await probeApiVersions(server.bootstrap);
      });
    } finally {
      for (const c of clients) c.close();
    }
    // Once the attackers are gone the pool is free again for everyone.
    await probeApiVersions(server.bootstrap);
  });
});
