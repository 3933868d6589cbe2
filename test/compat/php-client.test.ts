import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BrokerProcess } from './helpers/broker-process.js';
import { assertPartitionsConsumed, type CompatRecord } from './helpers/compat-records.js';
import { PHP_DIR } from './helpers/repo-root.js';
import { kcat, python, runOk } from './helpers/run-client.js';

/**
 * kafka-php (weiboad/kafka-php, vendored in php/kafka-php) under Debian's PHP with Debian's
 * amphp/amp and psr/log: its synchronous producer (Produce v2, message format 1) and its group
 * consumer (Metadata v0, FindCoordinator v0, JoinGroup v1, SyncGroup v0, Heartbeat v0, ListOffsets
 * v0, OffsetFetch v1, Fetch v2, OffsetCommit v2) over a 3-partition topic. kafka-php lists its
 * topic again for each partition in ListOffsets v0 (`[T:[0]], [T:[0,1]], [T:[0,1,2]]`); a broker
 * that refused the repeats left partitions 1 and 2 unread.
 */

const SCRIPT = `${PHP_DIR}/kafka_php_compat.php`;
const PARTITIONS = 3;
const COUNT = 3000;
const CLIENT_ID = 'kafka-php';

// A consumer that never gets its records would wait for ever: stop it well before the test times out.
const php = (args: readonly (string | number)[]) =>
  runOk('php', [SCRIPT, ...args.map(String)], { timeoutMs: 60_000 });

/** What kafka_php_compat.php produces: compatRecord without null values, which it cannot send. */
function phpRecord(i: number): CompatRecord {
  return { key: `key-${i}`, value: `value-${i}-${'x'.repeat(i % 37)}` };
}

/** kcat's or kafka-php's lines over every partition, in assertPartitionsConsumed's format. */
const assertRead = (output: string, count: number, firstOffset: number, label: string) =>
  assertPartitionsConsumed(output, count, {
    partitions: PARTITIONS,
    headers: false,
    firstOffset,
    label,
    record: phpRecord,
  });

describe('kafka-php', () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await BrokerProcess.start({
      overrides: {
        'group.initial.rebalance.delay.ms': '0',
        // kafka-php never sends LeaveGroup: the resuming member waits for the first one's session
        // (2 s, set by the script) to expire before the group rebalances.
        'group.min.session.timeout.ms': '1000',
      },
    });
  });
  after(async () => {
    await broker?.close();
  });

  test('3,000 keyed records over 3 partitions: kcat reads what kafka-php produced', async () => {
    await python('kafka_python_compat.py', ['create', broker.bootstrap, 'php-records', PARTITIONS]);
    await php(['produce', broker.bootstrap, 'php-records', COUNT, PARTITIONS, 'none']);
    const out = await kcat(broker.bootstrap, [
      '-C',
      '-t',
      'php-records',
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%p\t%o\t%k\t%s\t\n',
    ]);
    assertRead(out, COUNT, 0, 'kcat reading kafka-php');
  });

  test('gzip: kafka-php compresses, kcat reads', async () => {
    await python('kafka_python_compat.py', ['create', broker.bootstrap, 'php-gzip', PARTITIONS]);
    await php(['produce', broker.bootstrap, 'php-gzip', 600, PARTITIONS, 'gzip']);
    const out = await kcat(broker.bootstrap, [
      '-C',
      '-t',
      'php-gzip',
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%p\t%o\t%k\t%s\t\n',
    ]);
    assertRead(out, 600, 0, 'kcat reading kafka-php gzip');
  });

  test('group consumer reads every partition, and a new member resumes after its commits', async () => {
    const group = 'php-group';
    const first = await php(['group-consume', broker.bootstrap, 'php-records', group, COUNT]);
    assertRead(first, COUNT, 0, 'kafka-php group consumer');
    await php(['produce', broker.bootstrap, 'php-records', 300, PARTITIONS, 'none']);
    const second = await php(['group-consume', broker.bootstrap, 'php-records', group, 300]);
    assertRead(second, 300, COUNT / PARTITIONS, 'kafka-php resuming member');
  });

  test('negotiated versions', (t) => {
    t.diagnostic(`kafka-php: ${broker.describeVersions(CLIENT_ID)}`);
    const used = broker.versionsUsedBy(CLIENT_ID);
    assert.deepEqual(used.get('Produce'), [2]);
    assert.deepEqual(used.get('Fetch'), [2]);
    assert.deepEqual(used.get('ListOffsets'), [0]);
    assert.deepEqual(used.get('JoinGroup'), [1]);
    assert.deepEqual(used.get('OffsetCommit'), [2]);
    assert.deepEqual(used.get('OffsetFetch'), [1]);
  });
});
