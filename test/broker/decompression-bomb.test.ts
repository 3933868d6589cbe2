import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { decodeResponse, encodeRequest } from '../../src/protocol/frame.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../src/protocol/generated/messages/create-topics-response.js';
import type { ProduceResponse } from '../../src/protocol/generated/messages/produce-response.js';
import { CompressionType } from '../../src/protocol/records/record-batch-header.js';
import { bombBatch } from '../helpers/compressed-batch.js';
import { RawClient } from '../helpers/raw-client.js';
import { request } from '../helpers/request.js';
import { freePort, type ServerProcess, startServerProcess } from '../helpers/server-process.js';

/**
 * Decompression bombs (issue: a batch of a few kilobytes that inflates to hundreds of megabytes)
 * against a broker process: they are answered, with MESSAGE_TOO_LARGE past
 * strom.decompressed.batch.max.bytes, without the broker holding them in memory (its peak RSS is
 * read from /proc) and without holding up other connections (checked by the order in which
 * responses arrive, not by timing).
 */
const PRODUCE_VERSION = 8;
const MiB = 1 << 20;
/** Peak RSS allowed to the broker: its own ~80 MiB and a few pieces per walk, far below one bomb. */
const PEAK_RSS_MAX = 200 * MiB;

function peakRssBytes(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, 'VmHWM in /proc/PID/status');
  return Number(m[1]) * 1024;
}

function produceFrame(id: number, topic: string, batch: Buffer): Buffer {
  const frame = encodeRequest(ApiKey.Produce, PRODUCE_VERSION, id, 'bomber', {
    transactionalId: null,
    acks: 1,
    timeoutMs: 30_000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
  });
  return Array.isArray(frame) ? Buffer.concat(frame) : frame;
}

function errorCodeOf(frame: Buffer | null): number {
  assert.ok(frame, 'a produce response');
  const body = decodeResponse(ApiKey.Produce, PRODUCE_VERSION, frame).body as ProduceResponse;
  return body.responses[0]!.partitionResponses[0]!.errorCode;
}

describe('decompression bombs against a broker process', { timeout: 120_000 }, () => {
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  after(() => {
    for (const s of servers) s.child.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function start(overrides: string[]): Promise<ServerProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'strom-bomb-'));
    dirs.push(dir);
    const port = await freePort();
    const args = ['--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${dir}`];
    for (const o of overrides) args.push('--override', o);
    const s = await startServerProcess(args, port);
    servers.push(s);
    const created = await request<CreateTopicsResponse>(s.bootstrap, ApiKey.CreateTopics, 5, {
      topics: [{ name: 'bombs', numPartitions: 1, replicationFactor: 1 }],
      timeoutMs: 5000,
    });
    assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);
    return s;
  }

  it('answers MESSAGE_TOO_LARGE past strom.decompressed.batch.max.bytes and accepts what is under it', async () => {
    const s = await start([`strom.decompressed.batch.max.bytes=${64 * MiB}`]);
    const zstdBomb = bombBatch(CompressionType.Zstd, 248 * MiB);
    const gzipBomb = bombBatch(CompressionType.Gzip, 248 * MiB);
    assert.ok(zstdBomb.length < 16 * 1024, `zstd bomb of ${zstdBomb.length} bytes`);
    const c = await RawClient.open(s.bootstrap);
    try {
      c.write([produceFrame(1, 'bombs', zstdBomb), produceFrame(2, 'bombs', gzipBomb)]);
      assert.equal(errorCodeOf(await c.readFrame(30_000)), ErrorCode.MESSAGE_TOO_LARGE);
      assert.equal(errorCodeOf(await c.readFrame(30_000)), ErrorCode.MESSAGE_TOO_LARGE);
      // Highly compressible but under the cap (and far over the 1 MiB decoded inline): accepted.
      c.write(produceFrame(3, 'bombs', bombBatch(CompressionType.Zstd, 48 * MiB)));
      assert.equal(errorCodeOf(await c.readFrame(30_000)), ErrorCode.NONE);
    } finally {
      c.close();
    }
    assert.match(s.output(), /decompresses past strom.decompressed.batch.max.bytes/);
    const peak = peakRssBytes(s.child.pid!);
    assert.ok(peak < PEAK_RSS_MAX, `broker peak RSS ${peak} bytes`);
  });

  it('serves other connections while two connections pipeline bombs, without holding them', async () => {
    const s = await start([]);
    const bomb = bombBatch(CompressionType.Zstd, 248 * MiB);
    const perConnection = 2;
    // Every response the test sees gets the next number: arrival order across connections.
    let arrivals = 0;
    const bombers = await Promise.all([RawClient.open(s.bootstrap), RawClient.open(s.bootstrap)]);
    const probe = await RawClient.open(s.bootstrap);
    try {
      for (const b of bombers) {
        const frames: Buffer[] = [];
        for (let i = 0; i < perConnection; i++) frames.push(produceFrame(100 + i, 'bombs', bomb));
        b.write(frames);
      }
      const bombsDone = bombers.map(async (b) => {
        for (let i = 0; i < perConnection; i++) {
          // Within the cap (256 MiB by default): accepted, as Kafka would.
          assert.equal(errorCodeOf(await b.readFrame(60_000)), ErrorCode.NONE);
        }
        return ++arrivals;
      });
      const probesDone = (async () => {
        for (let i = 0; i < 20; i++) {
          probe.write(encodeRequest(ApiKey.ApiVersions, 0, 1000 + i, 'probe', {}));
          const frame = await probe.readFrame(60_000);
          assert.ok(frame);
          assert.equal(decodeResponse(ApiKey.ApiVersions, 0, frame).correlationId, 1000 + i);
        }
        return ++arrivals;
      })();
      const [probed, ...bombed] = await Promise.all([probesDone, ...bombsDone]);
      // 20 round trips of a small request finish while 4 x 248 MiB are still being walked.
      for (const b of bombed) assert.ok(probed! < b!, `probe finished ${probed}, bombs ${bombed}`);
    } finally {
      for (const b of bombers) b.close();
      probe.close();
    }
    const peak = peakRssBytes(s.child.pid!);
    assert.ok(peak < PEAK_RSS_MAX, `broker peak RSS ${peak} bytes`);
  });
});
