import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeBroker, startFakeBroker } from '../../bench/fake-broker.js';
import { Kafka } from '../../src/client/index.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { BatchOffsets } from '../../src/protocol/records/record-batch-header.js';

/** Two good records at offsets 0-1, then a batch at offset 2 whose CRC does not match. */
function fetchData(): Buffer {
  const good = encodeRecordBatch({
    baseOffset: 0n,
    records: [0, 1].map((i) => ({
      offsetDelta: i,
      timestampDelta: 0,
      key: null,
      value: Buffer.from(`v${i}`),
      headers: [],
    })),
  });
  const bad = encodeRecordBatch({
    baseOffset: 2n,
    records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('v2'), headers: [] }],
  });
  bad[BatchOffsets.crc] = (bad[BatchOffsets.crc]! + 1) & 0xff;
  return Buffer.concat([good, bad]);
}

/** A one-partition broker that answers every Fetch with fetchData() from the offset asked. */
function corruptBroker(): Promise<FakeBroker> {
  const data = fetchData();
  return startFakeBroker({
    clusterId: 'corrupt',
    metadataMaxVersion: 8,
    apis: {
      [ApiKey.Fetch]: {
        maxVersion: 11,
        answer: (body) => {
          const req = body as { topics: { topic: string; partitions: { fetchOffset: bigint }[] }[] };
          return {
            throttleTimeMs: 0,
            errorCode: 0,
            sessionId: 0,
            responses: req.topics.map((t) => ({
              topic: t.topic,
              partitions: t.partitions.map((p) => ({
                partitionIndex: 0,
                errorCode: 0,
                highWatermark: 3n,
                lastStableOffset: 3n,
                logStartOffset: 0n,
                abortedTransactions: [],
                preferredReadReplica: -1,
                // Past the data, an empty answer, as a broker at the log end gives.
                records: p.fetchOffset < 3n ? data : Buffer.alloc(0),
              })),
            })),
          };
        },
      },
    },
  });
}

describe('a corrupt record batch in a fetch response', () => {
  let broker: FakeBroker;
  before(async () => {
    broker = await corruptBroker();
  });
  after(async () => {
    await broker.close();
  });

  it('hands out the records before it, then fails poll with CORRUPT_MESSAGE until a seek past it', async () => {
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'corrupt-test' });
    const consumer = kafka.consumer({ fetchMaxWaitMs: 10 });
    const tp = { topic: 't', partition: 0 };
    try {
      consumer.assign([tp]);
      consumer.seek(tp, 0n);
      const first = await consumer.poll({ timeoutMs: 5000 });
      assert.deepEqual(
        first.map((r) => r.value?.toString()),
        ['v0', 'v1'],
      );
      for (let i = 0; i < 2; i++) {
        await assert.rejects(consumer.poll({ timeoutMs: 1000 }), (err: unknown) => {
          const e = err as { code: string; kafkaName: string; retriable: boolean; message: string };
          return (
            e.code === 'KAFKA_ERROR' &&
            e.kafkaName === 'CORRUPT_MESSAGE' &&
            !e.retriable &&
            /offset 2/.test(e.message)
          );
        });
      }
      assert.equal(consumer.position(tp), 2n);
      consumer.seek(tp, 3n);
      assert.deepEqual(await consumer.poll({ timeoutMs: 100 }), []);
    } finally {
      await consumer.close();
    }
  });

  it('hands out every record with checkCrcs false (check.crcs=false)', async () => {
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'corrupt-test' });
    const consumer = kafka.consumer({ fetchMaxWaitMs: 10, checkCrcs: false });
    const tp = { topic: 't', partition: 0 };
    try {
      consumer.assign([tp]);
      consumer.seek(tp, 0n);
      const got: string[] = [];
      while (got.length < 3) {
        for (const r of await consumer.poll({ timeoutMs: 5000 })) got.push(r.value!.toString());
      }
      assert.deepEqual(got, ['v0', 'v1', 'v2']);
      assert.equal(consumer.position(tp), 3n);
    } finally {
      await consumer.close();
    }
  });
});
