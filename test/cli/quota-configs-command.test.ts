import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { javaDouble } from '../../src/cli/client-quota-configs.js';
import { Kafka } from '../../src/client/index.js';
import { strom } from './cli-helpers.js';

/** Client quotas with kafka-configs.sh's flags and output, and the admin client's calls. */
describe('strom configs: client quotas', () => {
  let broker: StartedBroker;
  let server: string[];
  before(async () => {
    broker = await startBroker();
    server = ['--bootstrap-server', broker.bootstrap];
  });
  after(async () => {
    await broker?.close();
  });

  const ok = async (args: string[]): Promise<string> => {
    const r = await strom(['configs', ...args, ...server]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  it('sets, shows and deletes quotas of users, clients, both and defaults', async () => {
    assert.equal(
      await ok([
        '--alter',
        '--entity-type',
        'users',
        '--entity-name',
        'alice',
        '--add-config',
        'producer_byte_rate=1048576,request_percentage=12.5',
      ]),
      'Completed updating config for user alice.\n',
    );
    assert.equal(
      await ok([
        '--alter',
        '--entity-type',
        'clients',
        '--entity-default',
        '--add-config',
        'consumer_byte_rate=20000000',
      ]),
      'Completed updating default config for clients in the cluster.\n',
    );
    assert.equal(
      await ok([
        '--alter',
        '--entity-type',
        'users',
        '--entity-name',
        'alice',
        '--entity-type',
        'clients',
        '--entity-name',
        'app1',
        '--add-config',
        'producer_byte_rate=1024',
      ]),
      'Completed updating config for user alice.\n',
    );
    assert.equal(
      await ok(['--describe', '--entity-type', 'users', '--entity-name', 'alice']),
      "Quota configs for user-principal 'alice' are producer_byte_rate=1048576.0, request_percentage=12.5\n",
    );
    assert.equal(
      await ok(['--describe', '--entity-type', 'clients']),
      'Quota configs for the default client-id are consumer_byte_rate=2.0E7\n',
    );
    assert.equal(
      await ok(['--describe', '--entity-type', 'users', '--entity-type', 'clients']),
      "Quota configs for user-principal 'alice', client-id 'app1' are producer_byte_rate=1024.0\n",
    );
    assert.equal(
      await ok([
        '--alter',
        '--entity-type',
        'users',
        '--entity-name',
        'alice',
        '--delete-config',
        'request_percentage',
      ]),
      'Completed updating config for user alice.\n',
    );
    assert.equal(
      await ok(['--describe', '--entity-type', 'users', '--entity-name', 'alice']),
      "Quota configs for user-principal 'alice' are producer_byte_rate=1048576.0\n",
    );
  });

  it('refuses what kafka-configs.sh refuses', async () => {
    const fails = async (args: string[], code: number, message: string) => {
      const r = await strom(['configs', ...args, ...server]);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, new RegExp(message));
    };
    await fails(
      [
        '--alter',
        '--entity-type',
        'clients',
        '--entity-name',
        'x',
        '--add-config',
        'SCRAM-SHA-256=[password=p]',
      ],
      2,
      "Only quota configs can be added for 'clients'",
    );
    await fails(
      ['--alter', '--entity-type', 'users', '--entity-name', 'x', '--add-config', 'retention.ms=1'],
      2,
      "Only quota and SCRAM credential configs can be added for 'users'",
    );
    await fails(
      [
        '--alter',
        '--entity-type',
        'users',
        '--entity-name',
        'x',
        '--add-config',
        'producer_byte_rate=1,SCRAM-SHA-256=[password=p]',
      ],
      2,
      'Cannot alter both quota and SCRAM',
    );
    await fails(
      ['--alter', '--entity-type', 'users', '--entity-name', 'x', '--add-config', 'producer_byte_rate=fast'],
      2,
      'Cannot parse quota configuration value for producer_byte_rate: fast',
    );
    await fails(
      [
        '--alter',
        '--entity-type',
        'users',
        '--entity-name',
        'nobody',
        '--delete-config',
        'producer_byte_rate',
      ],
      1,
      'Invalid config\\(s\\): producer_byte_rate',
    );
    await fails(
      ['--alter', '--entity-type', 'users', '--entity-name', 'x', '--add-config', 'producer_byte_rate=1.5'],
      1,
      'producer_byte_rate cannot be a fractional value.',
    );
    await fails(
      [
        '--alter',
        '--entity-type',
        'topics',
        '--entity-type',
        'users',
        '--entity-name',
        'x',
        '--add-config',
        'a=1',
      ],
      2,
      'only users and clients',
    );
  });

  it("the admin client's describeClientQuotas and alterClientQuotas", async () => {
    const admin = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'quota-admin' }).admin();
    try {
      const results = await admin.alterClientQuotas([
        { entity: { user: null, 'client-id': null }, ops: [{ key: 'request_percentage', value: 200 }] },
        { entity: { user: 'bob' }, ops: [{ key: 'no_such_quota', value: 1 }] },
      ]);
      assert.deepEqual(
        results.map((r) => [r.entity, r.errorCode]),
        [
          [{ user: null, 'client-id': null }, 0],
          [{ user: 'bob' }, 42],
        ],
      );
      const described = await admin.describeClientQuotas({
        components: [{ entityType: 'user', match: 'default' }],
      });
      assert.deepEqual(described, [
        { entity: { user: null, 'client-id': null }, values: { request_percentage: 200 } },
      ]);
      const validated = await admin.alterClientQuotas(
        [{ entity: { user: null, 'client-id': null }, ops: [{ key: 'request_percentage', value: null }] }],
        { validateOnly: true },
      );
      assert.equal(validated[0]?.errorCode, 0);
      assert.equal(
        (await admin.describeClientQuotas({ components: [{ entityType: 'user', match: 'default' }] })).length,
        1,
      );
    } finally {
      await admin.close();
    }
  });

  it("prints values as Java's Double.toString", () => {
    assert.deepEqual([1048576, 12.5, 1e7, 20_000_000, 123456789, 0.0005, 0.5].map(javaDouble), [
      '1048576.0',
      '12.5',
      '1.0E7',
      '2.0E7',
      '1.23456789E8',
      '5.0E-4',
      '0.5',
    ]);
  });
});
