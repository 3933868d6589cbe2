import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { Kafka } from '../../src/client/index.js';
import { strom } from './cli-helpers.js';

describe('strom configs, get-offsets and delete-records', () => {
  let broker: StartedBroker;
  let bs: string[];
  const dir = mkdtempSync(join(tmpdir(), 'strom-cli-admin-'));
  let before0 = 0;
  before(async () => {
    broker = await startBroker({ config: { 'num.partitions': '2' } });
    bs = ['--bootstrap-server', broker.bootstrap];
    const producer = new Kafka({ bootstrapServers: broker.bootstrap }).producer();
    before0 = Date.now();
    await producer.sendBatch(
      'ledger',
      [0, 1, 2, 3, 4].map((i) => ({ value: `e${i}`, partition: 0, timestamp: before0 + i })),
    );
    await producer.close();
  });
  after(async () => {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds, shows and deletes topic configs', async () => {
    const base = ['configs', '--entity-type', 'topics', '--entity-name', 'ledger', ...bs];
    const added = await strom([
      ...base,
      '--alter',
      '--add-config',
      'retention.ms=86400000,cleanup.policy=[delete,compact]',
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, 'Completed updating config for topic ledger.\n');
    const shown = await strom([...base, '--describe']);
    assert.equal(
      shown.stdout,
      'Dynamic configs for topic ledger are:\n' +
        '  cleanup.policy=delete,compact sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=delete,compact}\n' +
        '  retention.ms=86400000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=86400000}\n',
    );
    await strom([...base, '--alter', '--delete-config', 'cleanup.policy']);
    const json = JSON.parse((await strom([...base, '--describe', '--json'])).stdout);
    assert.deepEqual(
      json[0].configs.map((c: { name: string; value: string; source: string }) => [
        c.name,
        c.value,
        c.source,
      ]),
      [['retention.ms', '86400000', 'DYNAMIC_TOPIC_CONFIG']],
    );
    const all = await strom([
      'configs',
      '--describe',
      '--entity-type',
      'brokers',
      '--entity-name',
      '1',
      '--all',
      ...bs,
    ]);
    assert.match(all.stdout, /^All configs for broker 1 are:\n/);
    assert.match(all.stdout, /\n {2}num\.partitions=2 sensitive=false synonyms=\{\w+:num\.partitions=2\}\n/);
    assert.equal((await strom(['configs', '--describe', '--entity-type', 'groups', ...bs])).code, 2);
  });

  it('prints offsets by time as topic:partition:offset', async () => {
    assert.equal(
      (await strom(['get-offsets', '--topic', 'ledger', ...bs])).stdout,
      'ledger:0:5\nledger:1:0\n',
    );
    assert.equal(
      (await strom(['get-offsets', '--topic', 'ledger', '--time', '-2', '--partitions', '0', ...bs])).stdout,
      'ledger:0:0\n',
    );
    const byTime = await strom([
      'get-offsets',
      '--topic',
      'ledger',
      '--time',
      String(before0 + 3),
      '--json',
      ...bs,
    ]);
    assert.deepEqual(JSON.parse(byTime.stdout), [{ topic: 'ledger', partition: 0, offset: 3 }]);
  });

  it("deletes records before the offsets in Kafka's JSON file", async () => {
    const file = join(dir, 'delete.json');
    writeFileSync(
      file,
      JSON.stringify({ partitions: [{ topic: 'ledger', partition: 0, offset: 2 }], version: 1 }),
    );
    const r = await strom(['delete-records', '--offset-json-file', file, ...bs]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      'Executing records delete operation\nRecords delete operation completed:\npartition: ledger-0\tlow_watermark: 2\n',
    );
    assert.equal(
      (await strom(['get-offsets', '--topic', 'ledger', '--time', 'earliest', ...bs])).stdout,
      'ledger:0:2\nledger:1:0\n',
    );
    writeFileSync(file, '{"partitions":[{"topic":"ledger"}]}');
    const bad = await strom(['delete-records', '--offset-json-file', file, ...bs]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /partitions\[0\] needs/);
  });
});
