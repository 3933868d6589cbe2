import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/test-certificates.js';
import { strom } from './cli-helpers.js';

/** SCRAM users with `strom configs --entity-type users`, and commands over SASL_SSL with --command-config. */
describe('strom commands on a secured broker', () => {
  let broker: StartedBroker;
  let certs: TestCertificates;
  let plain: string[];
  let secure: string;

  before(async () => {
    certs = makeTestCertificates();
    broker = await startBroker({
      config: {
        listeners: 'PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512',
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': certs.serverPemFile,
        'connection.failed.authentication.delay.ms': '0',
      },
    });
    plain = ['--bootstrap-server', broker.bootstrap];
    secure = `localhost:${broker.broker.listeners.find((l) => l.name === 'SASL_SSL')!.boundPort}`;
  });
  after(async () => {
    await broker?.close();
    certs?.remove();
  });

  const clientProperties = (password: string): string => {
    const file = join(certs.dir, `client-${password}.properties`);
    writeFileSync(
      file,
      [
        'security.protocol=SASL_SSL',
        'sasl.mechanism=SCRAM-SHA-512',
        `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${password}";`,
        'ssl.truststore.type=PEM',
        `ssl.truststore.location=${certs.caFile}`,
      ].join('\n'),
    );
    return file;
  };

  it("sets, shows and deletes SCRAM credentials with kafka-configs.sh's syntax", async () => {
    const base = ['configs', '--entity-type', 'users', '--entity-name', 'alice', ...plain];
    const added = await strom([
      ...base,
      '--alter',
      '--add-config',
      'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]',
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, 'Completed updating config for user alice.\n');
    const shown = await strom([...base, '--describe']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(
      shown.stdout,
      "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\n",
    );
    const tooFew = await strom([
      ...base,
      '--alter',
      '--add-config',
      'SCRAM-SHA-256=[iterations=10,password=x]',
    ]);
    assert.equal(tooFew.code, 2);
    assert.match(tooFew.stderr, /Too few iterations/);
    const deleted = await strom([...base, '--alter', '--delete-config', 'SCRAM-SHA-256']);
    assert.equal(deleted.code, 0, deleted.stderr);
    const after = await strom(['configs', '--entity-type', 'users', '--describe', ...plain]);
    assert.equal(
      after.stdout,
      "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-512=iterations=4096\n",
    );
  });

  it('connects over SASL_SSL with --command-config, and fails with one line on a wrong password', async () => {
    const created = await strom([
      'topics',
      '--create',
      '--topic',
      'secured',
      '--bootstrap-server',
      secure,
      '--command-config',
      clientProperties('alice-secret'),
    ]);
    assert.equal(created.code, 0, created.stderr);
    const produced = await strom(
      [
        'console-producer',
        '--topic',
        'secured',
        '--bootstrap-server',
        secure,
        '--command-config',
        clientProperties('alice-secret'),
      ],
      { input: 'over TLS and SCRAM\n' },
    );
    assert.equal(produced.code, 0, produced.stderr);
    const consumed = await strom([
      'console-consumer',
      '--topic',
      'secured',
      '--from-beginning',
      '--max-messages',
      '1',
      '--bootstrap-server',
      secure,
      '--consumer-property',
      `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";`,
      '--command-config',
      clientProperties('wrong'),
    ]);
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.equal(consumed.stdout, 'over TLS and SCRAM\n');
    const refused = await strom([
      'topics',
      '--list',
      '--bootstrap-server',
      secure,
      '--command-config',
      clientProperties('wrong'),
    ]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /^Error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512\n$/,
    );
  });
});
