import assert from 'node:assert/strict';
import { after, before, describe, type TestContext, test } from 'node:test';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { DescribeTransactionsResponse } from '../../src/protocol/generated/messages/describe-transactions-response.js';
import type { FetchResponse } from '../../src/protocol/generated/messages/fetch-response.js';
import type { OffsetFetchResponse } from '../../src/protocol/generated/messages/offset-fetch-response.js';
import { decodeControlRecordKey } from '../../src/protocol/records/control-record.js';
import { decodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { splitBatches } from '../../src/protocol/records/record-batch-header.js';
import { request } from '../helpers/request.js';
import { BrokerProcess } from './helpers/broker-process.js';
import { kcat, python } from './helpers/run-client.js';

/**
 * Real clients' transactional producers against the transaction coordinator: the log of the
 * partition they wrote, read with a raw Fetch, must hold each transaction's records followed by
 * its COMMIT or ABORT marker, and the offsets sent to a committed transaction must be the group's.
 */

/** Partition 0 as the log holds it: data batches as their values, markers as COMMIT / ABORT. */
async function logOf(bootstrap: string, topic: string): Promise<string[]> {
  const f = await request<FetchResponse>(bootstrap, ApiKey.Fetch, 12, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
  });
  const p = f.responses[0]!.partitions[0]!;
  assert.equal(p.errorCode, 0);
  const out: string[] = [];
  for (const raw of p.records ? splitBatches(p.records).batches : []) {
    const b = decodeRecordBatch(raw);
    if (b.control) {
      for (const r of b.records) out.push(decodeControlRecordKey(r.key).type === 1 ? 'COMMIT' : 'ABORT');
    } else {
      assert.ok(b.transactional, 'a transactional producer writes transactional batches');
      for (const r of b.records) out.push(r.value!.toString());
    }
  }
  return out;
}

function assertUsed(t: TestContext, broker: BrokerProcess, clientIdPrefix: string, apis: string[]): void {
  const used = broker.versionsUsedBy(clientIdPrefix);
  for (const api of apis) assert.ok(used.has(api), `${clientIdPrefix} sent no ${api}`);
  t.diagnostic(`${clientIdPrefix}: ${apis.map((a) => `${a} v${used.get(a)}`).join(', ')}`);
}

describe('transactional producers', () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await BrokerProcess.start();
  });
  after(async () => {
    await broker?.close();
  });

  test('confluent-kafka-python: commit, abort, and offsets sent to a transaction', async (t) => {
    const out = await python('confluent_kafka_compat.py', [
      'transactions',
      broker.bootstrap,
      'txn-confluent',
      'compat-txn-confluent',
      'compat-txn-group',
    ]);
    assert.equal(out.trim(), 'OK');
    assert.deepEqual(await logOf(broker.bootstrap, 'txn-confluent'), [
      'committed-0',
      'committed-1',
      'committed-2',
      'COMMIT',
      'aborted-0',
      'aborted-1',
      'ABORT',
      'committed-3',
      'COMMIT',
    ]);
    const d = await request<DescribeTransactionsResponse>(broker.bootstrap, ApiKey.DescribeTransactions, 0, {
      transactionalIds: ['compat-txn-confluent'],
    });
    assert.equal(d.transactionStates[0]!.transactionState, 'CompleteCommit');
    const offsets = await request<OffsetFetchResponse>(broker.bootstrap, ApiKey.OffsetFetch, 7, {
      groupId: 'compat-txn-group',
      topics: [{ name: 'txn-confluent', partitionIndexes: [0] }],
      requireStable: true,
    });
    const o = offsets.topics[0]!.partitions[0]!;
    assert.deepEqual([o.errorCode, o.committedOffset], [0, 5n]);
    assertUsed(t, broker, 'compat-confluent-txn', [
      'InitProducerId',
      'AddPartitionsToTxn',
      'AddOffsetsToTxn',
      'TxnOffsetCommit',
      'EndTxn',
    ]);

    // Read back by real consumers: read_committed never shows the aborted records (the broker
    // lists the aborted transaction, the client drops its records), read_uncommitted shows them.
    const values = (out: string) =>
      out
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split('\t')[1]);
    const committed = ['committed-0', 'committed-1', 'committed-2', 'committed-3'];
    const all = ['committed-0', 'committed-1', 'committed-2', 'aborted-0', 'aborted-1', 'committed-3'];
    const consume = (level: string) =>
      python('confluent_kafka_compat.py', ['consume-isolated', broker.bootstrap, 'txn-confluent', level]);
    assert.deepEqual(values(await consume('read_committed')), committed);
    assert.deepEqual(values(await consume('read_uncommitted')), all);
    const kcatRead = (level: string) =>
      kcat(broker.bootstrap, [
        '-C',
        '-t',
        'txn-confluent',
        '-p',
        '0',
        '-o',
        'beginning',
        '-e',
        '-q',
        '-X',
        `isolation.level=${level}`,
        '-f',
        '%o\t%s\n',
      ]);
    assert.deepEqual(values(await kcatRead('read_committed')), committed);
    assert.deepEqual(values(await kcatRead('read_uncommitted')), all);
    assertUsed(t, broker, 'compat-confluent', ['Fetch', 'ListOffsets']);
  });
});
