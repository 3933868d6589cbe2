import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { Kafka as KafkaJs, logLevel, type SASLOptions } from 'kafkajs';
import { Kafka } from '../../src/client/index.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/test-certificates.js';
import { BrokerProcess, freePort } from './helpers/broker-process.js';
import { assertConsumed } from './helpers/compat-records.js';
import { buildGo } from './helpers/go-build.js';
import { compileJavaCompat, javaCompat } from './helpers/java-client.js';
import { type PlatformaticSecurity, platformaticConsume, platformaticProduce } from './helpers/js-clients.js';
import { python, runClient, runOk } from './helpers/run-client.js';

/**
 * Real clients against one broker process with four listeners: PLAINTEXT (administration), SSL
 * (client certificates required), SASL_PLAINTEXT (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and
 * SASL_SSL (the three again, over TLS). kcat, confluent-kafka-python and kafka-python over each,
 * kafkajs with SASL and TLS, sarama and @platformatic/kafka over SSL and SASL_SSL (PLAIN and
 * SCRAM-SHA-512), the Java client over SASL_SSL with SCRAM; wrong passwords are refused.
 */

const PLAIN_JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";';

describe('TLS and SASL with real clients', () => {
  let broker: BrokerProcess;
  let certs: TestCertificates;
  const ports = { SSL: 0, SASL_PLAINTEXT: 0, SASL_SSL: 0, REAUTH: 0 };
  const at = (listener: keyof typeof ports) => `localhost:${ports[listener]}`;

  before(async () => {
    certs = makeTestCertificates();
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    const port = await freePort();
    broker = await BrokerProcess.start({
      port,
      overrides: {
        listeners: `PLAINTEXT://127.0.0.1:${port},SSL://localhost:${ports.SSL},SASL_PLAINTEXT://localhost:${ports.SASL_PLAINTEXT},SASL_SSL://localhost:${ports.SASL_SSL},REAUTH://localhost:${ports.REAUTH}`,
        'listener.security.protocol.map':
          'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,REAUTH:SASL_PLAINTEXT',
        // Sessions of 1.5 s on REAUTH only, for the re-authentication test (KIP-368).
        'listener.name.reauth.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
        'listener.name.reauth.connections.max.reauth.ms': '1500',
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': certs.serverPemFile,
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': certs.caFile,
        'listener.name.ssl.ssl.client.auth': 'required',
        'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS,
        'listener.name.sasl_ssl.plain.sasl.jaas.config': PLAIN_JAAS,
        'connection.failed.authentication.delay.ms': '10',
      },
    });
    const admin = new Kafka({ bootstrapServers: broker.bootstrap }).admin();
    try {
      const results = await admin.alterUserScramCredentials(
        (['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const).map((mechanism) => ({
          kind: 'upsert' as const,
          user: 'bob',
          mechanism,
          iterations: 4096,
          password: 'bob-secret',
        })),
      );
      assert.deepEqual(results, [{ user: 'bob', errorCode: 0, errorMessage: null }]);
    } finally {
      await admin.close();
    }
  });
  after(async () => {
    await broker?.close();
    certs?.remove();
  });

  const kcatSecurity = (listener: keyof typeof ports, mechanism?: string): string[] => {
    const x = (k: string, v: string) => ['-X', `${k}=${v}`];
    const out = [...x('security.protocol', listener.toLowerCase())];
    if (listener !== 'SASL_PLAINTEXT') out.push(...x('ssl.ca.location', certs.caFile));
    if (listener === 'SSL') {
      out.push(
        ...x('ssl.certificate.location', certs.aliceCertFile),
        ...x('ssl.key.location', certs.aliceKeyFile),
      );
    }
    if (mechanism) {
      const [user, password] = mechanism === 'PLAIN' ? ['alice', 'alice-secret'] : ['bob', 'bob-secret'];
      out.push(
        ...x('sasl.mechanism', mechanism),
        ...x('sasl.username', user),
        ...x('sasl.password', password),
      );
    }
    return out;
  };

  const cases: [keyof typeof ports, string | undefined][] = [
    ['SSL', undefined],
    ['SASL_PLAINTEXT', 'PLAIN'],
    ['SASL_PLAINTEXT', 'SCRAM-SHA-256'],
    ['SASL_PLAINTEXT', 'SCRAM-SHA-512'],
    ['SASL_SSL', 'PLAIN'],
    ['SASL_SSL', 'SCRAM-SHA-256'],
    ['SASL_SSL', 'SCRAM-SHA-512'],
  ];

  test('kcat produces and consumes over SSL (mutual TLS), SASL_PLAINTEXT and SASL_SSL', async () => {
    for (const [listener, mechanism] of cases) {
      const topic = `kcat-${listener}-${mechanism ?? 'tls'}`.toLowerCase();
      const sec = kcatSecurity(listener, mechanism);
      await runOk('kcat', ['-b', at(listener), ...sec, '-P', '-t', topic, '-p', '0'], {
        stdin: 'one\ntwo\nthree\n',
      });
      const out = await runOk('kcat', [
        '-b',
        at(listener),
        ...sec,
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
      assert.equal(out, 'one\ntwo\nthree\n', `${listener} ${mechanism}`);
    }
  });

  const confluentConf = (listener: keyof typeof ports, mechanism?: string): Record<string, string> => {
    const out: Record<string, string> = {};
    const sec = kcatSecurity(listener, mechanism);
    for (let i = 0; i < sec.length; i += 2) {
      const [k, v] = sec[i + 1]!.split(/=(.*)/s) as [string, string];
      out[k] = v;
    }
    return out;
  };

  test('confluent-kafka-python over SSL, SASL_PLAINTEXT and SASL_SSL', async () => {
    for (const [listener, mechanism] of cases) {
      const topic = `confluent-${listener}-${mechanism ?? 'tls'}`.toLowerCase();
      const out = await python('secured_clients.py', [
        'confluent',
        at(listener),
        topic,
        50,
        JSON.stringify(confluentConf(listener, mechanism)),
      ]);
      assert.equal(out.trim(), '50 50', `${listener} ${mechanism}`);
    }
  });

  test('kafka-python over SASL_PLAINTEXT and SASL_SSL (PLAIN and SCRAM)', async () => {
    for (const [listener, mechanism] of cases.filter(([l]) => l !== 'SSL')) {
      const [user, password] = mechanism === 'PLAIN' ? ['alice', 'alice-secret'] : ['bob', 'bob-secret'];
      const conf: Record<string, unknown> = {
        security_protocol: listener,
        sasl_mechanism: mechanism,
        sasl_plain_username: user,
        sasl_plain_password: password,
      };
      if (listener === 'SASL_SSL') conf.ssl_cafile = certs.caFile;
      const topic = `kafka-python-${listener}-${mechanism}`.toLowerCase();
      const out = await python('secured_clients.py', [
        'kafka-python',
        at(listener),
        topic,
        50,
        JSON.stringify(conf),
      ]);
      assert.equal(out.trim(), '50 50', `${listener} ${mechanism}`);
    }
  });

  test('kafkajs with sasl (plain, scram-sha-256, scram-sha-512) and ssl', async () => {
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
      const [username, password] = mechanism === 'plain' ? ['alice', 'alice-secret'] : ['bob', 'bob-secret'];
      const kafka = new KafkaJs({
        brokers: [at('SASL_SSL')],
        clientId: 'compat-kafkajs-secured',
        logLevel: logLevel.NOTHING,
        retry: { retries: 2 },
        ssl: { ca: [certs.caPem] },
        sasl: { mechanism, username, password } as SASLOptions,
      });
      const topic = `kafkajs-${mechanism}`;
      const producer = kafka.producer({ allowAutoTopicCreation: true });
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ value: 'a' }, { value: 'b' }] });
      await producer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.disconnect();
      assert.equal(offsets[0]!.high, '2', mechanism);
    }
  });

  /** The SSL case and SASL_SSL with PLAIN and SCRAM-SHA-512, the ones the issue asks of sarama and @platformatic/kafka. */
  const tlsCases: [keyof typeof ports, 'PLAIN' | 'SCRAM-SHA-512' | undefined][] = [
    ['SSL', undefined],
    ['SASL_SSL', 'PLAIN'],
    ['SASL_SSL', 'SCRAM-SHA-512'],
  ];
  const userOf = (mechanism: string) =>
    mechanism === 'PLAIN' ? ['alice', 'alice-secret'] : ['bob', 'bob-secret'];

  test('sarama over SSL (mutual TLS) and SASL_SSL with PLAIN and SCRAM-SHA-512', async () => {
    const binDir = mkdtempSync(join(tmpdir(), 'strom-compat-go-'));
    try {
      const sarama = await buildGo(binDir, 'sarama-client');
      for (const [listener, mechanism] of tlsCases) {
        // sarama-client reads its security from the environment (security.go).
        const env: NodeJS.ProcessEnv = { ...process.env, STROM_COMPAT_TLS_CA: certs.caFile };
        if (listener === 'SSL') {
          env.STROM_COMPAT_TLS_CERT = certs.aliceCertFile;
          env.STROM_COMPAT_TLS_KEY = certs.aliceKeyFile;
        } else {
          const [user, password] = userOf(mechanism!);
          Object.assign(env, {
            STROM_COMPAT_SASL_MECHANISM: mechanism,
            STROM_COMPAT_SASL_USER: user,
            STROM_COMPAT_SASL_PASSWORD: password,
          });
        }
        const topic = `sarama-${listener}-${mechanism ?? 'tls'}`.toLowerCase();
        await runOk(sarama, ['produce', at(listener), topic, '500', 'none'], { env });
        const out = await runOk(sarama, ['consume', at(listener), topic, '500'], { env });
        assertConsumed(out, 500, { headers: true, label: `sarama ${listener} ${mechanism ?? ''}` });
      }
      const wrong = await runClient(sarama, ['consume', at('SASL_SSL'), 'sarama-sasl_ssl-plain', '1'], {
        env: {
          ...process.env,
          STROM_COMPAT_TLS_CA: certs.caFile,
          STROM_COMPAT_SASL_MECHANISM: 'SCRAM-SHA-512',
          STROM_COMPAT_SASL_USER: 'bob',
          STROM_COMPAT_SASL_PASSWORD: 'nope',
        },
        timeoutMs: 60_000,
      });
      assert.notEqual(wrong.code, 0);
      assert.match(wrong.stderr, /SASL Authentication failed/);
    } finally {
      rmSync(binDir, { recursive: true, force: true });
    }
  });

  test('@platformatic/kafka over SSL (mutual TLS) and SASL_SSL with PLAIN and SCRAM-SHA-512', async () => {
    for (const [listener, mechanism] of tlsCases) {
      const security: PlatformaticSecurity = {
        tls:
          listener === 'SSL'
            ? { ca: certs.caPem, cert: certs.aliceCertPem, key: certs.aliceKeyPem }
            : { ca: certs.caPem },
      };
      if (mechanism) {
        const [username, password] = userOf(mechanism);
        security.sasl = { mechanism, username, password };
      }
      const topic = `platformatic-${listener}-${mechanism ?? 'tls'}`.toLowerCase();
      await platformaticProduce(at(listener), topic, 500, 'none', { security });
      const out = await platformaticConsume(at(listener), topic, 500, security);
      assertConsumed(out, 500, {
        headers: true,
        label: `@platformatic/kafka ${listener} ${mechanism ?? ''}`,
      });
    }
    await assert.rejects(
      platformaticProduce(at('SASL_SSL'), 'platformatic-refused', 1, 'none', {
        security: {
          tls: { ca: certs.caPem },
          sasl: { mechanism: 'SCRAM-SHA-512', username: 'bob', password: 'nope' },
        },
      }),
      // The client nests the broker's answer in its connection errors.
      (err) => /invalid credentials with SASL mechanism SCRAM-SHA-512/.test(inspect(err, { depth: 12 })),
    );
  });

  test('the Java client over SASL_SSL with SCRAM-SHA-512: admin, produce and consume', async () => {
    await compileJavaCompat();
    const props = join(certs.dir, 'java-client.properties');
    writeFileSync(
      props,
      [
        'security.protocol=SASL_SSL',
        'sasl.mechanism=SCRAM-SHA-512',
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="bob-secret";',
        'ssl.truststore.type=PEM',
        `ssl.truststore.location=${certs.caFile}`,
      ].join('\n'),
    );
    const admin = JSON.parse(await javaCompat(['admin', at('SASL_SSL'), 'java-secured-admin'], props));
    assert.ok(admin);
    await javaCompat(['produce', at('SASL_SSL'), 'java-secured', 100, 'none', 1, 'default'], props);
    const consumed = await javaCompat(['consume', at('SASL_SSL'), 'java-secured', 100], props);
    assert.equal(consumed.trim().split('\n').length, 100);
  });

  test('the Java client re-authenticates on its connections before its SASL session ends (KIP-368)', async () => {
    await compileJavaCompat();
    const props = join(certs.dir, 'java-reauth.properties');
    writeFileSync(
      props,
      [
        'security.protocol=SASL_PLAINTEXT',
        'sasl.mechanism=SCRAM-SHA-512',
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="bob-secret";',
      ].join('\n'),
    );
    // Eight records 400 ms apart: 3.2 s over sessions of 1.5 s.
    const out = await javaCompat(['produce-paced', at('REAUTH'), 'java-reauth', 8, 400], props);
    assert.equal(out.trim(), 'acked 8');
    // A new connection authenticates right after its ApiVersions; a re-authentication is a
    // SaslHandshake on a connection that has been producing. And no connection outlived its
    // session: the broker would have closed it at its next Produce and logged why.
    const sent = broker.requests.filter((r) => r.clientId === 'compat-java-paced').map((r) => r.api);
    const reauthentications = sent.filter((api, i) => api === 'SaslHandshake' && sent[i - 1] === 'Produce');
    assert.ok(reauthentications.length >= 1, sent.join(', '));
    assert.doesNotMatch(broker.recentLog, /SASL session expired/);
  });

  test('wrong passwords and missing client certificates are refused, and the broker keeps serving', async () => {
    const wrong = await runClient('kcat', [
      '-b',
      at('SASL_SSL'),
      ...kcatSecurity('SASL_SSL', 'SCRAM-SHA-256').map((a) => a.replace('bob-secret', 'nope')),
      '-L',
      '-m',
      '5',
    ]);
    assert.notEqual(wrong.code, 0);
    assert.match(
      wrong.stderr,
      /Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256/,
    );
    const noCert = await runClient('kcat', [
      '-b',
      at('SSL'),
      '-X',
      'security.protocol=ssl',
      '-X',
      `ssl.ca.location=${certs.caFile}`,
      '-L',
      '-m',
      '5',
    ]);
    assert.notEqual(noCert.code, 0);
    const ok = await runOk('kcat', [
      '-b',
      at('SASL_PLAINTEXT'),
      ...kcatSecurity('SASL_PLAINTEXT', 'PLAIN'),
      '-L',
      '-m',
      '5',
    ]);
    assert.match(ok, /1 brokers:/);
  });
});
