import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Kafka } from '../../src/client/index.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { FetchResponse } from '../../src/protocol/generated/messages/fetch-response.js';
import { decodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { splitBatches } from '../../src/protocol/records/record-batch-header.js';
import { request } from '../helpers/request.js';
import { freePort, type ServerProcess, startServerProcess } from '../helpers/server-process.js';
import { rng } from './crash-harness.js';

const KILLS = 3;
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 100000);
const TOPIC = 'idempotent-crash';
/** Sends in flight at once: enough for several batches per request and retries of several batches. */
const WINDOW = 2000;

/**
 * SIGKILL a real broker process while the (idempotent by default) Strom producer sends with
 * acks=all: batches the broker appended but could not acknowledge are retried by the producer
 * after the restart, and the broker, its producer state rebuilt from the last snapshot and the
 * log, must answer them with their original offsets. Every acknowledged record must then be in
 * the log exactly once, at the offset it was acknowledged with, and no record twice.
 */
describe(`idempotent produce across broker crashes (seed ${SEED}, replay with CRASH_SEED=${SEED})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-idem-crash-'));
  // The broker process of the moment: killed after the test whatever its outcome, or a failed
  // assertion would leave it running and the test process waiting on it.
  let live: ServerProcess | undefined;
  after(() => {
    if (live && live.child.exitCode === null && live.child.signalCode === null) live.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged record exactly once across SIGKILLs and retries', async () => {
    const random = rng(SEED);
    const port = await freePort();
    // Small segments: rolls (and their producer snapshots) happen every few batches, so a kill
    // often finds a producer's unacknowledged batches on both sides of a roll, whose snapshot
    // holds only the last batch before it: the earlier ones are found again in the log.
    const args = [
      '--override',
      `listeners=PLAINTEXT://127.0.0.1:${port}`,
      '--override',
      `log.dirs=${dir}`,
      '--override',
      'log.segment.bytes=16384',
      '--override',
      'num.partitions=2',
      // Acknowledged only after a (group) fsync: a kill often lands between a batch's write and its
      // acknowledgement, so the producer retries batches the log already holds.
      '--override',
      'strom.log.fsync.on.ack=true',
    ];
    let server: ServerProcess = await startServerProcess(args, port);
    live = server;
    const kafka = new Kafka({
      bootstrapServers: server.bootstrap,
      clientId: 'idempotent-crash',
      retryBackoffMs: 20,
      retryBackoffMaxMs: 200,
    });
    const producer = kafka.producer({
      lingerMs: 1,
      batchSize: 4096,
      deliveryTimeoutMs: 60_000,
      requestTimeoutMs: 5000,
    });
    assert.ok(producer.idempotent);
    const acked = new Map<string, { partition: number; offset: bigint }>();
    const failed: Error[] = [];
    let sent = 0;
    let inFlight = 0;
    let stop = false;
    let drained: () => void = () => {};
    const producing = (async () => {
      while (!stop) {
        if (inFlight >= WINDOW) {
          await new Promise<void>((r) => {
            drained = r;
          });
          continue;
        }
        const value = `v${sent++}`;
        inFlight++;
        const wait = producer.sendWithCallback(TOPIC, { key: value, value }, (err, meta) => {
          inFlight--;
          if (err) failed.push(err);
          else acked.set(value, { partition: meta!.partition, offset: meta!.offset });
          if (inFlight < WINDOW / 2) drained();
        });
        if (wait) await wait;
        else if (sent % 200 === 0) await new Promise((r) => setImmediate(r));
      }
    })();
    // The first send fetches the topic's metadata, which a kill before it arrives would fail (and
    // with it the producing loop): production must have begun before the first kill.
    const started = Date.now() + 30_000;
    while (acked.size === 0 && Date.now() < started) await new Promise((r) => setTimeout(r, 10));
    assert.ok(acked.size > 0, `seed ${SEED}: nothing acknowledged before the first kill`);
    for (let kill = 0; kill < KILLS; kill++) {
      const before = acked.size;
      await new Promise((r) => setTimeout(r, 150 + Math.floor(random() * 400)));
      server.child.kill('SIGKILL');
      assert.equal(await server.exited, 'SIGKILL');
      server = await startServerProcess(args, port);
      live = server;
      // Production resumes through the restart: retries are answered, new records acknowledged.
      const deadline = Date.now() + 30_000;
      while (acked.size <= before + 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    }
    stop = true;
    drained();
    await producing;
    await producer.close();
    assert.deepEqual(failed, [], `seed ${SEED}: sends failed`);
    assert.equal(acked.size, sent, `seed ${SEED}: every record acknowledged`);

    const seen = new Map<string, { partition: number; offset: bigint }[]>();
    for (const partition of [0, 1]) {
      let offset = 0n;
      for (;;) {
        const f = await request<FetchResponse>(server.bootstrap, ApiKey.Fetch, 12, {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: 8 << 20,
          sessionEpoch: -1,
          topics: [
            { topic: TOPIC, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 8 << 20 }] },
          ],
        });
        const records = f.responses[0]!.partitions[0]!.records;
        if (!records || records.length === 0) break;
        for (const b of splitBatches(records).batches) {
          const d = decodeRecordBatch(b);
          for (const r of d.records) {
            const at = { partition, offset: d.baseOffset + BigInt(r.offsetDelta) };
            const list = seen.get(r.value!.toString()) ?? [];
            list.push(at);
            seen.set(r.value!.toString(), list);
          }
          offset = d.baseOffset + BigInt(d.lastOffsetDelta) + 1n;
        }
      }
    }
    for (const [value, at] of acked) {
      assert.deepEqual(
        seen.get(value),
        [at],
        `seed ${SEED}: ${value} acknowledged at ${at.partition}/${at.offset}`,
      );
    }
    assert.equal(seen.size, acked.size, `seed ${SEED}: records in the log that were never sent`);
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
  });
});
