import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { parseIsoDurationMs } from '../../src/cli/offset-reset-plan.js';
import { Kafka } from '../../src/client/index.js';
import { strom } from './cli-helpers.js';

describe('strom consumer-groups', () => {
  let broker: StartedBroker;
  let bs: string[];
  before(async () => {
    broker = await startBroker({ config: { 'num.partitions': '2' } });
    bs = ['--bootstrap-server', broker.bootstrap];
    const producer = new Kafka({ bootstrapServers: broker.bootstrap }).producer();
    await producer.sendBatch(
      'orders',
      [0, 1, 2, 3, 4, 5].map((i) => ({ value: `o${i}`, partition: i % 2 })),
    );
    await producer.close();
    const read = await strom([
      'console-consumer',
      '--topic',
      'orders',
      '--group',
      'billing',
      '--from-beginning',
      '--max-messages',
      '6',
      ...bs,
    ]);
    assert.equal(read.code, 0, read.stderr);
  });
  after(() => broker.close());

  it("lists groups and describes offsets and lag in Kafka's columns", async () => {
    assert.equal((await strom(['consumer-groups', '--list', ...bs])).stdout, 'billing\n');
    await strom([
      'consumer-groups',
      '--reset-offsets',
      '--group',
      'billing',
      '--topic',
      'orders:1',
      '--shift-by',
      '-2',
      '--execute',
      ...bs,
    ]);
    const d = await strom(['consumer-groups', '--describe', '--group', 'billing', ...bs]);
    assert.equal(d.code, 0, d.stderr);
    const lines = d.stdout.split('\n').filter((l) => l !== '');
    assert.equal(lines[0], "Consumer group 'billing' has no active members.");
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(/ +/)),
      [
        [
          'GROUP',
          'TOPIC',
          'PARTITION',
          'CURRENT-OFFSET',
          'LOG-END-OFFSET',
          'LAG',
          'CONSUMER-ID',
          'HOST',
          'CLIENT-ID',
        ],
        ['billing', 'orders', '0', '3', '3', '0', '-', '-', '-'],
        ['billing', 'orders', '1', '1', '3', '2', '-', '-', '-'],
      ],
    );
    const state = await strom([
      'consumer-groups',
      '--describe',
      '--group',
      'billing',
      '--state',
      '--json',
      ...bs,
    ]);
    assert.equal(JSON.parse(state.stdout)[0].state, 'Empty');
  });

  it('resets offsets: dry run by default, committed with --execute', async () => {
    const dry = await strom([
      'consumer-groups',
      '--reset-offsets',
      '--group',
      'billing',
      '--topic',
      'orders',
      '--to-earliest',
      ...bs,
    ]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /No action will be performed/);
    assert.deepEqual(
      dry.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(/ +/)),
      [
        ['billing', 'orders', '0', '0'],
        ['billing', 'orders', '1', '0'],
      ],
    );
    const run = await strom([
      'consumer-groups',
      '--reset-offsets',
      '--group',
      'billing',
      '--all-topics',
      '--to-offset',
      '99',
      '--execute',
      '--json',
      ...bs,
    ]);
    assert.deepEqual(
      JSON.parse(run.stdout).map((r: { newOffset: number }) => r.newOffset),
      [3, 3],
    );
    const lag = JSON.parse(
      (await strom(['consumer-groups', '--describe', '--group', 'billing', '--json', ...bs])).stdout,
    );
    assert.deepEqual(
      lag.map((r: { lag: number }) => r.lag),
      [0, 0],
    );
    const none = await strom([
      'consumer-groups',
      '--reset-offsets',
      '--group',
      'billing',
      '--topic',
      'orders',
      ...bs,
    ]);
    assert.equal(none.code, 2);
  });

  it('refuses to reset a group with active members, and deletes an empty one', async () => {
    const consumer = new Kafka({ bootstrapServers: broker.bootstrap }).consumer({ groupId: 'live' });
    try {
      consumer.subscribe('orders');
      await consumer.poll({ timeoutMs: 500 });
      const busy = await strom([
        'consumer-groups',
        '--reset-offsets',
        '--group',
        'live',
        '--topic',
        'orders',
        '--to-earliest',
        '--execute',
        ...bs,
      ]);
      assert.equal(busy.code, 1);
      assert.match(
        busy.stderr,
        /^Error: Assignments can only be reset if the group 'live' is inactive, but the current state is Stable\.\n$/,
      );
      const members = await strom(['consumer-groups', '--describe', '--group', 'live', '--members', ...bs]);
      assert.deepEqual(members.stdout.trim().split('\n')[1]!.split(/ +/).slice(2), [
        '/127.0.0.1',
        'strom',
        '2',
      ]);
    } finally {
      await consumer.close();
    }
    const unknown = await strom(['consumer-groups', '--describe', '--group', 'nobody', ...bs]);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, "Error: Consumer group 'nobody' does not exist.\n");
    const del = await strom(['consumer-groups', '--delete', '--group', 'billing', ...bs]);
    assert.equal(del.stdout, "Deletion of requested consumer groups ('billing') was successful.\n");
    assert.equal((await strom(['consumer-groups', '--list', ...bs])).stdout, 'live\n');
  });

  it('parses ISO 8601 durations as Java does', () => {
    assert.equal(parseIsoDurationMs('PT1H'), 3_600_000);
    assert.equal(parseIsoDurationMs('P1DT2H30M'), 95_400_000);
    assert.equal(parseIsoDurationMs('PT0.5S'), 500);
    assert.throws(() => parseIsoDurationMs('1H'), /invalid duration/);
    assert.throws(() => parseIsoDurationMs('PT'), /invalid duration/);
  });
});
