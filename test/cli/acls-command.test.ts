import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { Kafka, KafkaError } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { strom } from './cli-helpers.js';

/**
 * `strom acls` against a broker with the StandardAuthorizer: the administrator connects over SASL
 * with --command-config (a super user), alice's ACLs decide what her client may do.
 */
describe('strom acls', () => {
  let broker: StartedBroker;
  let dir: string;
  let bs: string[];
  let sasl: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strom-acls-cli-'));
    broker = await startBroker({
      config: {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'inter.broker.listener.name': 'SASL_PLAINTEXT',
        'sasl.mechanism.inter.broker.protocol': 'PLAIN',
        'sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config':
          'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret" user_alice="alice-secret";',
        'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
        'super.users': 'User:admin',
      },
    });
    sasl = `127.0.0.1:${broker.broker.listeners[0]!.boundPort}`;
    const config = join(dir, 'admin.properties');
    writeFileSync(
      config,
      [
        'security.protocol=SASL_PLAINTEXT',
        'sasl.mechanism=PLAIN',
        'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret";',
      ].join('\n'),
    );
    bs = ['--bootstrap-server', sasl, '--command-config', config];
  });
  after(async () => {
    await broker?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const alice = () =>
    new Kafka({
      bootstrapServers: sasl,
      retries: 0,
      sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
    });

  it("adds, lists and removes ACLs with kafka-acls.sh's flags and output", async () => {
    const add = await strom([
      'acls',
      ...bs,
      '--add',
      '--allow-principal',
      'User:alice',
      '--operation',
      'Read',
      '--operation',
      'Describe',
      '--topic',
      'orders',
    ]);
    assert.equal(add.code, 0, add.stderr);
    assert.equal(
      add.stdout,
      'Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: \n' +
        ' \t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)\n' +
        '\t(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW) \n\n',
    );
    const producer = await strom([
      'acls',
      ...bs,
      '--add',
      '--allow-principal',
      'User:alice',
      '--producer',
      '--topic',
      'app-',
      '--resource-pattern-type',
      'prefixed',
    ]);
    assert.equal(producer.code, 0, producer.stderr);
    const deny = await strom([
      'acls',
      ...bs,
      '--add',
      '--deny-principal',
      'User:alice',
      '--deny-host',
      '10.0.0.9',
      '--operation',
      'Write',
      '--topic',
      'app-secret',
    ]);
    assert.equal(deny.code, 0, deny.stderr);

    const match = await strom([
      'acls',
      ...bs,
      '--list',
      '--topic',
      'app-secret',
      '--resource-pattern-type',
      'match',
    ]);
    assert.equal(match.code, 0, match.stderr);
    assert.match(
      match.stdout,
      /Current ACLs for resource `ResourcePattern\(resourceType=TOPIC, name=app-, patternType=PREFIXED\)`: \n \t\(principal=User:alice, host=\*, operation=WRITE, permissionType=ALLOW\)\n/,
    );
    assert.match(
      match.stdout,
      /name=app-secret, patternType=LITERAL\)`: \n \t\(principal=User:alice, host=10\.0\.0\.9, operation=WRITE, permissionType=DENY\) \n/,
    );
    assert.doesNotMatch(match.stdout, /name=orders/);

    const byPrincipal = await strom(['acls', ...bs, '--list', '--principal', 'User:alice']);
    assert.equal(byPrincipal.code, 0, byPrincipal.stderr);
    assert.ok(byPrincipal.stdout.startsWith('ACLs for principal `User:alice`\n'), byPrincipal.stdout);
    assert.equal(byPrincipal.stdout.match(/Current ACLs for resource/g)?.length, 3);

    // alice may read orders and write app-* topics, nothing else.
    const admin = alice().admin();
    try {
      await admin.createTopics([{ topic: 'app-events' }]);
      const acls = await admin.describeAcls().catch((e: unknown) => e);
      assert.ok(
        acls instanceof KafkaError && acls.kafkaCode === ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        String(acls),
      );
    } finally {
      await admin.close();
    }

    const remove = await strom(['acls', ...bs, '--remove', '--force', '--topic', 'orders']);
    assert.equal(remove.code, 0, remove.stderr);
    assert.equal(remove.stdout, '');
    const after = await strom(['acls', ...bs, '--list', '--topic', 'orders']);
    assert.equal(after.stdout, '');
    // Without --force the command asks, and a "n" keeps the ACLs.
    const kept = await strom(
      ['acls', ...bs, '--remove', '--topic', 'app-', '--resource-pattern-type', 'prefixed'],
      { input: 'n\n' },
    );
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(
      kept.stdout,
      /Are you sure you want to delete all ACLs for resource filter `ResourcePattern\(resourceType=TOPIC, name=app-, patternType=PREFIXED\)`\? \(y\/n\)/,
    );
    const still = await strom([
      'acls',
      ...bs,
      '--list',
      '--topic',
      'app-',
      '--resource-pattern-type',
      'prefixed',
    ]);
    assert.match(still.stdout, /operation=CREATE/);
  });

  it('refuses command lines kafka-acls.sh refuses', async () => {
    const cases: [string[], RegExp][] = [
      [['--list', '--add', '--topic', 't'], /exactly one action/],
      [['--add', '--topic', 't', '--operation', 'Read'], /--allow-principal, --deny-principal/],
      [['--add', '--allow-principal', 'User:a', '--operation', 'Read'], /at least one resource/],
      [
        ['--add', '--allow-principal', 'User:a', '--operation', 'Fly', '--topic', 't'],
        /Unknown operation: Fly/,
      ],
      [
        ['--add', '--allow-principal', 'User:a', '--operation', 'IdempotentWrite', '--topic', 't'],
        /only supports operations/,
      ],
      [
        ['--add', '--allow-principal', 'User:a', '--topic', 't', '--resource-pattern-type', 'match'],
        /not valid when adding acls/,
      ],
      [
        ['--add', '--allow-principal', 'User:a', '--consumer', '--topic', 't'],
        /With --consumer you must specify a --topic and a --group/,
      ],
      [['--add', '--allow-principal', 'alice', '--topic', 't'], /principalType:name/],
    ];
    for (const [args, message] of cases) {
      const r = await strom(['acls', ...bs, ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });
});
