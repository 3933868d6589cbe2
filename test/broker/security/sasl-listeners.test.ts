import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { ClientError, Kafka, type KafkaConfig } from '../../../src/client/index.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { decodeResponse, encodeRequest } from '../../../src/protocol/frame.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import { type CapturedLine, captureLogger } from '../../helpers/capture-logger.js';
import { RawClient } from '../../helpers/raw-client.js';
import { makeTestCertificates, type TestCertificates } from '../../helpers/test-certificates.js';

/**
 * One broker with PLAINTEXT (for administration), SASL_PLAINTEXT (PLAIN and both SCRAMs) and
 * SASL_SSL (SCRAM-SHA-512 only) listeners; it restarts once on the same data directory to show
 * that SCRAM credentials live in the metadata log.
 */
describe('SASL listeners', () => {
  let certs: TestCertificates;
  let broker: StartedBroker;
  let logDir: string;
  const lines: CapturedLine[] = [];
  const config = (): Record<string, string> => ({
    listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    'listener.name.sasl_plaintext.plain.sasl.jaas.config':
      'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";',
    'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': certs.serverPemFile,
    'connection.failed.authentication.delay.ms': '10',
  });
  const address = (name: string) => {
    const l = broker.broker.listeners.find((b) => b.name === name)!;
    return `127.0.0.1:${l.boundPort}`;
  };
  const client = (listener: string, extra: Partial<KafkaConfig>) =>
    new Kafka({ bootstrapServers: address(listener), retries: 0, ...extra });

  before(async () => {
    certs = makeTestCertificates();
    logDir = mkdtempSync(join(tmpdir(), 'strom-sasl-'));
    broker = await startBroker({ logDir, logger: captureLogger(lines), config: config() });
    const admin = client('PLAINTEXT', {}).admin();
    try {
      const results = await admin.alterUserScramCredentials([
        { kind: 'upsert', user: 'bob', mechanism: 'SCRAM-SHA-256', iterations: 4096, password: 'bob-secret' },
        { kind: 'upsert', user: 'bob', mechanism: 'SCRAM-SHA-512', iterations: 8192, password: 'bob-secret' },
      ]);
      assert.deepEqual(results, [{ user: 'bob', errorCode: 0, errorMessage: null }]);
    } finally {
      await admin.close();
    }
  });

  after(async () => {
    await broker?.close();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
    certs?.remove();
  });

  async function topicsVia(k: Kafka): Promise<string[]> {
    const admin = k.admin();
    try {
      return await admin.listTopics();
    } finally {
      await admin.close();
    }
  }

  it('authenticates PLAIN users of the JAAS config and SCRAM users of the metadata log', async () => {
    await topicsVia(
      client('SASL_PLAINTEXT', { sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' } }),
    );
    await topicsVia(
      client('SASL_PLAINTEXT', {
        sasl: { mechanism: 'scram-sha-256', username: 'bob', password: 'bob-secret' },
      }),
    );
    await topicsVia(
      client('SASL_PLAINTEXT', {
        sasl: { mechanism: 'scram-sha-512', username: 'bob', password: 'bob-secret' },
      }),
    );
    await topicsVia(
      client('SASL_SSL', {
        ssl: { ca: certs.caPem },
        sasl: { mechanism: 'scram-sha-512', username: 'bob', password: 'bob-secret' },
      }),
    );
    const principals = lines
      .filter((l) => l.msg === 'SASL authentication succeeded')
      .map((l) => l.fields.principal);
    assert.deepEqual(new Set(principals), new Set(['User:alice', 'User:bob']));
  });

  it('answers a wrong password or an unknown user with SASL_AUTHENTICATION_FAILED, logs the user and address, never the password', async () => {
    const cases: [KafkaConfig['sasl'], string][] = [
      [{ mechanism: 'plain', username: 'alice', password: 'wrong-1' }, 'alice'],
      [{ mechanism: 'plain', username: 'nobody', password: 'wrong-2' }, 'nobody'],
      [{ mechanism: 'scram-sha-256', username: 'bob', password: 'wrong-3' }, 'bob'],
      [{ mechanism: 'scram-sha-512', username: 'nobody', password: 'wrong-4' }, 'nobody'],
    ];
    for (const [sasl, user] of cases) {
      const before = lines.length;
      await assert.rejects(topicsVia(client('SASL_PLAINTEXT', { sasl: sasl! })), (err: unknown) => {
        assert.ok(err instanceof ClientError, String(err));
        assert.equal(err.kafkaCode, ErrorCode.SASL_AUTHENTICATION_FAILED, err.message);
        return true;
      });
      const failed = lines.slice(before).filter((l) => l.msg === 'SASL authentication failed');
      assert.equal(failed.length, 1);
      assert.equal(failed[0]!.fields.user, user);
      assert.match(String(failed[0]!.fields.clientAddress), /^127\.0\.0\.1:\d+$/);
      assert.ok(!JSON.stringify(lines).includes(sasl!.password));
    }
  });

  it('answers a mechanism the listener does not enable with UNSUPPORTED_SASL_MECHANISM and its mechanisms', async () => {
    const c = await RawClient.openTls(address('SASL_SSL'), { ca: certs.caPem, servername: 'localhost' });
    c.write(encodeRequest(ApiKey.SaslHandshake, 1, 1, 'sasl-test', { mechanism: 'PLAIN' }));
    const frame = await c.readFrame();
    assert.ok(frame);
    const res = decodeResponse(ApiKey.SaslHandshake, 1, frame).body as {
      errorCode: number;
      mechanisms: string[];
    };
    assert.equal(res.errorCode, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
    assert.deepEqual(res.mechanisms, ['SCRAM-SHA-512']);
    assert.equal(await c.closedByPeer(), true);
  });

  it('serves only ApiVersions and the SASL APIs before authentication: anything else closes the connection', async () => {
    const c = await RawClient.open(address('SASL_PLAINTEXT'));
    c.write(encodeRequest(ApiKey.ApiVersions, 0, 1, 'sasl-test', {}));
    assert.ok(await c.readFrame());
    c.write(encodeRequest(ApiKey.Metadata, 1, 2, 'sasl-test', { topics: null }));
    assert.equal(await c.readFrame(), null);
    assert.ok(
      lines.some((l) => /Unexpected Kafka request of type Metadata during SASL handshake/.test(l.msg)),
    );
    // And the broker serves the next client.
    await topicsVia(
      client('SASL_PLAINTEXT', { sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' } }),
    );
  });

  it('takes raw tokens after SaslHandshake v0, as clients before KIP-152 send them', async () => {
    const c = await RawClient.open(address('SASL_PLAINTEXT'));
    c.write(encodeRequest(ApiKey.SaslHandshake, 0, 1, 'old-client', { mechanism: 'PLAIN' }));
    const hs = await c.readFrame();
    assert.ok(hs);
    assert.equal((decodeResponse(ApiKey.SaslHandshake, 0, hs).body as { errorCode: number }).errorCode, 0);
    const token = Buffer.from('\u0000alice\u0000alice-secret');
    const size = Buffer.alloc(4);
    size.writeInt32BE(token.length);
    c.write([size, token]);
    const answer = await c.readFrame();
    assert.deepEqual(answer, Buffer.alloc(0));
    c.write(encodeRequest(ApiKey.Metadata, 1, 2, 'old-client', { topics: null }));
    const md = await c.readFrame();
    assert.ok(md);
    assert.equal(decodeResponse(ApiKey.Metadata, 1, md).correlationId, 2);
    c.close();
  });

  it('describes SCRAM users, and keeps their credentials across a restart', async () => {
    const admin = () => client('PLAINTEXT', {}).admin();
    const a = admin();
    try {
      const described = await a.describeUserScramCredentials(['bob', 'nobody']);
      assert.deepEqual(described[0]!.credentials, [
        { mechanism: 'SCRAM-SHA-256', iterations: 4096 },
        { mechanism: 'SCRAM-SHA-512', iterations: 8192 },
      ]);
      assert.equal(described[1]!.errorCode, ErrorCode.RESOURCE_NOT_FOUND);
      const refused = await a.alterUserScramCredentials([
        { kind: 'upsert', user: 'carol', mechanism: 'SCRAM-SHA-256', iterations: 100, password: 'x' },
        { kind: 'delete', user: 'dave', mechanism: 'SCRAM-SHA-256' },
      ]);
      assert.deepEqual(
        refused.map((r) => [r.user, r.errorCode]),
        [
          ['dave', ErrorCode.RESOURCE_NOT_FOUND],
          ['carol', ErrorCode.UNACCEPTABLE_CREDENTIAL],
        ],
      );
    } finally {
      await a.close();
    }
    await broker.close();
    broker = await startBroker({ logDir, logger: captureLogger(lines), config: config() });
    await topicsVia(
      client('SASL_PLAINTEXT', {
        sasl: { mechanism: 'scram-sha-256', username: 'bob', password: 'bob-secret' },
      }),
    );
    const b = admin();
    try {
      assert.deepEqual(
        await b.alterUserScramCredentials([{ kind: 'delete', user: 'bob', mechanism: 'SCRAM-SHA-256' }]),
        [{ user: 'bob', errorCode: 0, errorMessage: null }],
      );
    } finally {
      await b.close();
    }
    await assert.rejects(
      topicsVia(
        client('SASL_PLAINTEXT', {
          sasl: { mechanism: 'scram-sha-256', username: 'bob', password: 'bob-secret' },
        }),
      ),
      (err: unknown) => err instanceof ClientError && err.kafkaCode === ErrorCode.SASL_AUTHENTICATION_FAILED,
    );
  });
});
