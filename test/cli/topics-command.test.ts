import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { strom } from './cli-helpers.js';

describe('strom topics', () => {
  let broker: StartedBroker;
  let bs: string[];
  before(async () => {
    broker = await startBroker();
    bs = ['--bootstrap-server', broker.bootstrap];
  });
  after(() => broker.close());

  it('creates, lists, describes, alters and deletes a topic', async () => {
    const created = await strom([
      'topics',
      '--create',
      '--topic',
      'events',
      '--partitions',
      '2',
      '--config',
      'retention.ms=86400000',
      ...bs,
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, 'Created topic events.\n');

    const listed = await strom(['topics', '--list', ...bs]);
    assert.equal(listed.stdout, 'events\n');

    const described = await strom(['topics', '--describe', '--topic', 'events', ...bs]);
    assert.equal(described.code, 0, described.stderr);
    const lines = described.stdout.trimEnd().split('\n');
    assert.match(
      lines[0]!,
      /^Topic: events\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: .*retention\.ms=86400000/,
    );
    assert.deepEqual(lines.slice(1), [
      '\tTopic: events\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1',
      '\tTopic: events\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1',
    ]);

    const altered = await strom(['topics', '--alter', '--topic', 'events', '--partitions', '3', ...bs]);
    assert.equal(altered.code, 0, altered.stderr);
    const json = JSON.parse(
      (await strom(['topics', '--describe', '--topic', 'events', '--json', ...bs])).stdout,
    );
    assert.equal(json[0].partitionCount, 3);
    assert.equal(json[0].configs['retention.ms'], '86400000');

    const none = await strom(['topics', '--describe', '--under-replicated-partitions', ...bs]);
    assert.equal(none.stdout, '');

    const deleted = await strom(['topics', '--delete', '--topic', 'events', ...bs]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal((await strom(['topics', '--list', '--json', ...bs])).stdout, '[]\n');
  });

  it('fails with one line and exit code 1 when the topic exists, unless --if-not-exists', async () => {
    await strom(['topics', '--create', '--topic', 'twice', ...bs]);
    const again = await strom(['topics', '--create', '--topic', 'twice', ...bs]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^Error: TOPIC_ALREADY_EXISTS.*\n$/);
    const quiet = await strom(['topics', '--create', '--topic', 'twice', '--if-not-exists', ...bs]);
    assert.equal(quiet.code, 0);
    const missing = await strom(['topics', '--delete', '--topic', 'nope', ...bs]);
    assert.equal(missing.code, 1);
    assert.equal((await strom(['topics', '--delete', '--topic', 'nope', '--if-exists', ...bs])).code, 0);
  });

  it('exits 2 on usage errors and shows examples in --help', async () => {
    assert.equal((await strom(['topics', '--create', ...bs])).code, 2);
    assert.equal((await strom(['topics', '--list', '--describe', ...bs])).code, 2);
    assert.equal(
      (await strom(['topics', '--create', '--topic', 'x', '--partitions', 'many', ...bs])).code,
      2,
    );
    const help = await strom(['topics', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:\n {2}strom topics --create/);
  });

  it('lists and describes internal topics unless --exclude-internal, as Kafka does', async () => {
    await strom(['topics', '--create', '--topic', 'plain', ...bs]);
    // Looking up a group's coordinator creates __consumer_offsets, as in Kafka.
    await strom(['consumer-groups', '--describe', '--group', 'nobody', ...bs]);
    const all = (await strom(['topics', '--list', ...bs])).stdout.split('\n');
    assert.ok(all.includes('__consumer_offsets'), all.join(','));
    assert.ok(all.includes('plain'));
    const user = (await strom(['topics', '--list', '--exclude-internal', ...bs])).stdout.split('\n');
    assert.ok(!user.includes('__consumer_offsets') && user.includes('plain'), user.join(','));
    const described = await strom(['topics', '--describe', '--topic', '__consumer_offsets', ...bs]);
    assert.match(described.stdout, /^Topic: __consumer_offsets\t/);
    const offsets = await strom(['get-offsets', ...bs]);
    assert.match(offsets.stdout, /^__consumer_offsets:0:\d+$/m);
    const userOffsets = await strom(['get-offsets', '--exclude-internal-topics', ...bs]);
    assert.doesNotMatch(userOffsets.stdout, /__consumer_offsets/);
    assert.match(userOffsets.stdout, /^plain:0:0$/m);
  });

  it("prints usage errors as every other error, 'Error: …' (exit code 2)", async () => {
    const unknown = await strom(['topics', '--no-such-flag', ...bs]);
    assert.deepEqual([unknown.code, unknown.stderr], [2, "Error: unknown option '--no-such-flag'\n"]);
    const missing = await strom(['topics', '--create', ...bs]);
    assert.deepEqual([missing.code, missing.stderr], [2, 'Error: --create needs --topic\n']);
    const command = await strom(['no-such-command']);
    assert.deepEqual([command.code, command.stderr], [2, "Error: unknown command 'no-such-command'\n"]);
  });

  it('fails readably when no broker answers', async () => {
    const r = await strom(['topics', '--list', '--bootstrap-server', '127.0.0.1:1']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.split('\n').filter((l) => l).length, 1, r.stderr);
    assert.equal(
      r.stderr,
      'Error: no broker is reachable: tried 127.0.0.1:1 (connection refused: is a broker running there?)\n',
    );
  });
});
