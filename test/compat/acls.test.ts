import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BrokerProcess, freePort } from './helpers/broker-process.js';
import { compileJavaCompat, javaCompat } from './helpers/java-client.js';
import { python, runClient, runOk } from './helpers/run-client.js';

/**
 * Real clients against a broker process with the StandardAuthorizer: a PLAINTEXT listener for the
 * administrator (User:ANONYMOUS is the super user) and a SASL_PLAINTEXT one where alice and bob
 * authenticate with PLAIN. The Java client's Admin creates, describes and deletes ACLs;
 * confluent-kafka-python and kcat as bob are refused with Kafka's authorization errors, alice is
 * served what her ACLs allow.
 */
describe('ACLs with real clients', () => {
  let broker: BrokerProcess;
  let sasl = '';
  const topic = 'acl-orders';
  const conf = (user: string) => ({
    'security.protocol': 'SASL_PLAINTEXT',
    'sasl.mechanism': 'PLAIN',
    'sasl.username': user,
    'sasl.password': `${user}-secret`,
  });

  before(async () => {
    const port = await freePort();
    const saslPort = await freePort();
    sasl = `localhost:${saslPort}`;
    broker = await BrokerProcess.start({
      port,
      overrides: {
        listeners: `PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://localhost:${saslPort}`,
        'sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config':
          'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret" user_bob="bob-secret";',
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'super.users': 'User:ANONYMOUS',
        'num.partitions': '1',
      },
    });
  });
  after(async () => {
    await broker?.close();
  });

  test("the Java client's Admin creates, describes (MATCH) and deletes ACLs; alice is served, bob is refused", async () => {
    await compileJavaCompat();
    const out = JSON.parse(await javaCompat(['acls', broker.bootstrap, 'User:alice', topic]));
    assert.deepEqual(out, {
      matched: `LITERAL:${topic}:READ,PREFIXED:${topic.slice(0, 4)}:WRITE`,
      all: 3,
      deleted: 1,
      after_delete: 2,
      refused: 'InvalidRequestException',
    });
    // The administrator creates the topic; alice may write it (PREFIXED acl-) and read it.
    await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', topic, '-p', '0'], { stdin: 'first\n' });

    const produced = await python('acl_clients.py', [
      'produce',
      sasl,
      topic,
      'g',
      JSON.stringify(conf('alice')),
    ]);
    assert.equal(produced.trim(), 'ok');
    const bobProduce = await python('acl_clients.py', [
      'produce',
      sasl,
      topic,
      'g',
      JSON.stringify(conf('bob')),
    ]);
    assert.equal(bobProduce.trim(), 'TOPIC_AUTHORIZATION_FAILED');
    // alice's group ACL was deleted: her consumer group is refused.
    const aliceGroup = await python('acl_clients.py', [
      'consume',
      sasl,
      topic,
      'acl-group',
      JSON.stringify(conf('alice')),
    ]);
    assert.equal(aliceGroup.trim(), 'GROUP_AUTHORIZATION_FAILED');

    const kcatSasl = (user: string) => Object.entries(conf(user)).flatMap(([k, v]) => ['-X', `${k}=${v}`]);
    const aliceRead = await runOk('kcat', [
      '-b',
      sasl,
      ...kcatSasl('alice'),
      '-C',
      '-t',
      topic,
      '-p',
      '0',
      '-o',
      'beginning',
      '-e',
      '-q',
    ]);
    assert.equal(aliceRead, 'first\nacl\n');
    const bobRead = await runClient('kcat', [
      '-b',
      sasl,
      ...kcatSasl('bob'),
      '-C',
      '-t',
      topic,
      '-p',
      '0',
      '-e',
    ]);
    assert.notEqual(bobRead.code, 0);
    assert.match(bobRead.stderr, /Topic authorization failed/);
    // bob does not see the topic in Metadata at all.
    const bobList = await runOk('kcat', ['-b', sasl, ...kcatSasl('bob'), '-L']);
    assert.doesNotMatch(bobList, new RegExp(topic));
  });
});
