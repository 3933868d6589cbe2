import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  InterBrokerAuthenticationError,
  InterBrokerClient,
  InterBrokerRequestError,
} from '../../../src/broker/cluster/inter-broker-client.js';
import { BrokerConfig } from '../../../src/broker/config/broker-config.js';
import { interBrokerSecurity } from '../../../src/broker/security/inter-broker-security.js';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { Kafka } from '../../../src/client/index.js';
import { InvalidConfigError } from '../../../src/common/config-def.js';
import { noopLogger } from '../../../src/common/logger.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import { makeTestCertificates, type TestCertificates } from '../../helpers/test-certificates.js';

const SCRAM_BROKER =
  'org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="broker-secret";';

/**
 * The inter-broker client against one broker's SSL listener (client certificates required) and
 * SASL_SSL listener (SCRAM-SHA-512, sessions of one second), with the security a broker configured
 * with that listener as `inter.broker.listener.name` derives from its own keys.
 */
describe('inter-broker client security', () => {
  let certs: TestCertificates;
  let broker: StartedBroker;
  let logDir: string;
  const clients: InterBrokerClient[] = [];
  const portOf = (name: string) => broker.broker.listeners.find((l) => l.name === name)!.boundPort;

  /** The security of a broker whose inter-broker listener is `protocol`, with the test's keys. */
  const securityOf = (protocol: 'SSL' | 'SASL_SSL', extra: Record<string, string> = {}) =>
    interBrokerSecurity(
      BrokerConfig.load({
        overrides: Object.entries({
          listeners: `${protocol}://127.0.0.1:0`,
          'inter.broker.listener.name': protocol,
          'ssl.keystore.type': 'PEM',
          'ssl.keystore.location': certs.serverPemFile,
          'ssl.truststore.type': 'PEM',
          'ssl.truststore.location': certs.caFile,
          'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
          'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
          ...(protocol === 'SASL_SSL'
            ? { 'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': SCRAM_BROKER }
            : {}),
          ...extra,
        }).map(([k, v]) => `${k}=${v}`),
      }),
    );
  const client = (security: ReturnType<typeof interBrokerSecurity>) => {
    const c = new InterBrokerClient('inter-broker-test', noopLogger, security);
    clients.push(c);
    return c;
  };
  const apiVersions = (c: InterBrokerClient, listener: string) =>
    c.send(
      { host: '127.0.0.1', port: portOf(listener) },
      ApiKey.ApiVersions,
      3,
      { clientSoftwareName: 'strom-test', clientSoftwareVersion: '1' },
      5000,
    );

  before(async () => {
    certs = makeTestCertificates();
    logDir = mkdtempSync(join(tmpdir(), 'strom-inter-broker-'));
    broker = await startBroker({
      logDir,
      config: {
        listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': certs.serverPemFile,
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': certs.caFile,
        'listener.name.ssl.ssl.client.auth': 'required',
        'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
        'listener.name.sasl_ssl.connections.max.reauth.ms': '1000',
        'connection.failed.authentication.delay.ms': '10',
      },
    });
    const admin = new Kafka({ bootstrapServers: `127.0.0.1:${portOf('PLAINTEXT')}` }).admin();
    try {
      await admin.alterUserScramCredentials([
        {
          kind: 'upsert',
          user: 'broker',
          mechanism: 'SCRAM-SHA-512',
          iterations: 4096,
          password: 'broker-secret',
        },
      ]);
    } finally {
      await admin.close();
    }
  });

  after(async () => {
    for (const c of clients) c.close();
    await broker?.close();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
    certs?.remove();
  });

  it("presents the listener's keystore where client certificates are required", async () => {
    const res = await apiVersions(client(securityOf('SSL')), 'SSL');
    assert.equal(res.errorCode, 0);
    // The same without a certificate is refused in the TLS handshake.
    const anonymous = client({ securityProtocol: 'SSL', tls: { ca: certs.caPem }, sasl: null });
    await assert.rejects(apiVersions(anonymous, 'SSL'), InterBrokerRequestError);
  });

  it("checks the peer's certificate against the listener's truststore", async () => {
    const untrusting = client({
      ...securityOf('SSL'),
      tls: { ...securityOf('SSL').tls, ca: certs.malloryCertPem },
    });
    await assert.rejects(apiVersions(untrusting, 'SSL'), InterBrokerRequestError);
  });

  it('authenticates with sasl.mechanism.inter.broker.protocol as the JAAS username', async () => {
    const res = await apiVersions(client(securityOf('SASL_SSL')), 'SASL_SSL');
    assert.equal(res.errorCode, 0);
    const wrong = client(
      securityOf('SASL_SSL', {
        'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': SCRAM_BROKER.replace(
          'broker-secret',
          'guess',
        ),
      }),
    );
    await assert.rejects(apiVersions(wrong, 'SASL_SSL'), InterBrokerAuthenticationError);
  });

  it('opens a newly authenticated connection before the SASL session ends (KIP-368)', async () => {
    const c = client(securityOf('SASL_SSL'));
    const metadata = () =>
      c.send(
        { host: '127.0.0.1', port: portOf('SASL_SSL') },
        ApiKey.Metadata,
        12,
        { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false },
        5000,
      );
    assert.equal((await metadata()).brokers.length, 1);
    // Past the one-second session the broker closes a connection that sends anything but a
    // re-authentication (ApiVersions aside); the client has moved to a new connection by then.
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await metadata()).brokers.length, 1);
  });

  it('refuses an inter-broker SASL listener without the credentials of its mechanism', () => {
    assert.throws(
      () => securityOf('SASL_SSL', { 'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': '' }),
      InvalidConfigError,
    );
    assert.throws(
      () =>
        securityOf('SASL_SSL', {
          'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config':
            'org.apache.kafka.common.security.scram.ScramLoginModule required username="broker";',
        }),
      /listener\.name\.sasl_ssl\.scram-sha-512\.sasl\.jaas\.config/,
    );
    assert.throws(
      () =>
        interBrokerSecurity(
          BrokerConfig.load({
            overrides: [
              'listeners=SASL_PLAINTEXT://127.0.0.1:0',
              'inter.broker.listener.name=SASL_PLAINTEXT',
              'sasl.enabled.mechanisms=PLAIN',
              'sasl.mechanism.inter.broker.protocol=PLAIN',
            ],
          }),
        ),
      /listener\.name\.sasl_plaintext\.plain\.sasl\.jaas\.config needs org\.apache\.kafka\.common\.security\.plain\.PlainLoginModule/,
    );
  });
});
