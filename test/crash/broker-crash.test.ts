import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { decodeResponse, encodeRequest } from '../../src/protocol/frame.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../src/protocol/generated/messages/create-topics-response.js';
import type { FetchResponse } from '../../src/protocol/generated/messages/fetch-response.js';
import type { OffsetCommitResponse } from '../../src/protocol/generated/messages/offset-commit-response.js';
import type { OffsetFetchResponse } from '../../src/protocol/generated/messages/offset-fetch-response.js';
import type { ProduceResponse } from '../../src/protocol/generated/messages/produce-response.js';
import { decodeRecordBatch, encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { splitBatches } from '../../src/protocol/records/record-batch-header.js';
import { RawClient } from '../helpers/raw-client.js';
import { request } from '../helpers/request.js';
import { freePort, startServerProcess } from '../helpers/server-process.js';
import { rng } from './crash-harness.js';

const ITERATIONS = 5;
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 100000);

/**
 * SIGKILL a real broker process while it acknowledges topic creations, produced batches (acks=1:
 * the page cache survives a process kill) and offset commits; restart it on the same log dir and
 * check that everything acknowledged is there.
 */
describe(`broker crash (seed ${SEED}, replay with CRASH_SEED=${SEED})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-broker-crash-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged topic, record and committed offset across SIGKILLs', async () => {
    const random = rng(SEED);
    const port = await freePort();
    const args = [
      '--override',
      `listeners=PLAINTEXT://127.0.0.1:${port}`,
      '--override',
      `log.dirs=${dir}`,
      '--override',
      'offsets.topic.num.partitions=3',
      '--override',
      'group.initial.rebalance.delay.ms=0',
    ];
    const ackedValues = new Map<bigint, string>();
    const ackedTopics: string[] = [];
    let lastCommit = -1n;
    for (let round = 0; round < ITERATIONS; round++) {
      const server = await startServerProcess(args, port);
      const bs = server.bootstrap;
      // Everything acknowledged before this round must be there.
      await verify(bs, ackedTopics, ackedValues, lastCommit, `round ${round}, seed ${SEED}`);
      const topic = `t${round}`;
      const created = await request<CreateTopicsResponse>(bs, ApiKey.CreateTopics, 5, {
        topics: [{ name: topic, numPartitions: 1, replicationFactor: 1 }],
        timeoutMs: 5000,
      });
      if (created.topics[0]!.errorCode === ErrorCode.NONE) ackedTopics.push(topic);
      await request(bs, ApiKey.FindCoordinator, 2, { key: 'g', keyType: 0 });

      const killAfterMs = 20 + Math.floor(random() * 200);
      const conn = await RawClient.open(bs);
      const deadline = Date.now() + killAfterMs;
      let seq = 0;
      const killed = server.exited;
      setTimeout(() => server.child.kill('SIGKILL'), killAfterMs);
      try {
        while (Date.now() < deadline + 1000) {
          const value = `r${round}-${seq++}`;
          conn.write(
            encodeRequest(ApiKey.Produce, 9, seq, 'crash', {
              acks: 1,
              timeoutMs: 5000,
              topicData: [{ name: 'events', partitionData: [{ index: 0, records: batchOf(value) }] }],
            }),
          );
          const frame = await conn.readFrame(2000);
          if (!frame) break;
          const res = decodeResponse(ApiKey.Produce, 9, frame).body as ProduceResponse;
          const p = res.responses[0]!.partitionResponses[0]!;
          if (p.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
            await request(bs, ApiKey.CreateTopics, 5, {
              topics: [{ name: 'events', numPartitions: 1, replicationFactor: 1 }],
              timeoutMs: 5000,
            });
            continue;
          }
          assert.equal(p.errorCode, ErrorCode.NONE);
          ackedValues.set(p.baseOffset, value);
          if (seq % 5 === 0) {
            conn.write(
              encodeRequest(ApiKey.OffsetCommit, 2, 100000 + seq, 'crash', {
                groupId: 'g',
                generationIdOrMemberEpoch: -1,
                memberId: '',
                retentionTimeMs: -1n,
                topics: [
                  { name: 'events', partitions: [{ partitionIndex: 0, committedOffset: p.baseOffset + 1n }] },
                ],
              }),
            );
            const cf = await conn.readFrame(2000);
            if (!cf) break;
            const cr = decodeResponse(ApiKey.OffsetCommit, 2, cf).body as OffsetCommitResponse;
            if (cr.topics[0]!.partitions[0]!.errorCode === ErrorCode.NONE) lastCommit = p.baseOffset + 1n;
          }
        }
      } catch {
        // The kill lands mid-request: what was not acknowledged need not survive.
      }
      conn.close();
      assert.equal(await killed, 'SIGKILL');
    }
    const server = await startServerProcess(args, port);
    await verify(server.bootstrap, ackedTopics, ackedValues, lastCommit, `final, seed ${SEED}`);
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    assert.ok(ackedValues.size > 0, 'some records were acknowledged');
  });
});

function batchOf(value: string): Buffer {
  return encodeRecordBatch({
    baseTimestamp: BigInt(Date.now()),
    records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from(value), headers: [] }],
  });
}

async function verify(
  bs: string,
  topics: string[],
  values: Map<bigint, string>,
  commit: bigint,
  where: string,
): Promise<void> {
  const md = await request<{ topics: { name: string }[] }>(bs, ApiKey.Metadata, 9, { topics: null });
  const names = new Set(md.topics.map((t) => t.name));
  for (const t of topics) assert.ok(names.has(t), `${where}: acknowledged topic ${t} lost`);
  if (values.size > 0) {
    const seen = new Map<bigint, string>();
    let offset = 0n;
    for (;;) {
      const f = await request<FetchResponse>(bs, ApiKey.Fetch, 12, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 16 << 20,
        sessionEpoch: -1,
        topics: [
          {
            topic: 'events',
            partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 16 << 20 }],
          },
        ],
      });
      const records = f.responses[0]!.partitions[0]!.records;
      if (!records || records.length === 0) break;
      for (const b of splitBatches(records).batches) {
        const d = decodeRecordBatch(b);
        for (const r of d.records) seen.set(d.baseOffset + BigInt(r.offsetDelta), r.value!.toString());
        offset = d.baseOffset + BigInt(d.lastOffsetDelta) + 1n;
      }
    }
    for (const [o, v] of values)
      assert.equal(seen.get(o), v, `${where}: acknowledged record at offset ${o} lost or changed`);
  }
  if (commit >= 0n) {
    const of = await request<OffsetFetchResponse>(bs, ApiKey.OffsetFetch, 6, {
      groupId: 'g',
      topics: [{ name: 'events', partitionIndexes: [0] }],
    });
    const got = of.topics[0]!.partitions[0]!.committedOffset;
    assert.ok(got >= commit, `${where}: committed offset ${got} is behind the acknowledged ${commit}`);
  }
}
