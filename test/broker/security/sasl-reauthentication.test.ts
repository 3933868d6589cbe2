import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { decodeResponse, encodeRequest } from '../../../src/protocol/frame.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import { RawClient } from '../../helpers/raw-client.js';

const REAUTH_MS = 400;

/** KIP-368 on a SASL_PLAINTEXT listener with connections.max.reauth.ms, driven with raw requests. */
describe('SASL re-authentication (KIP-368)', () => {
  let broker: StartedBroker;
  let correlation = 1;
  before(async () => {
    broker = await startBroker({
      config: {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'security.inter.broker.protocol': 'SASL_PLAINTEXT',
        'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256',
        'sasl.mechanism.inter.broker.protocol': 'PLAIN',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config':
          'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret" user_admin="admin-secret";',
        'listener.name.sasl_plaintext.connections.max.reauth.ms': String(REAUTH_MS),
        'connection.failed.authentication.delay.ms': '0',
      },
    });
  });
  after(async () => {
    await broker?.close();
  });

  async function call<T>(c: RawClient, apiKey: number, version: number, body: object): Promise<T | null> {
    const id = correlation++;
    c.write(encodeRequest(apiKey, version, id, 'reauth-test', body));
    const frame = await c.readFrame();
    return frame === null ? null : (decodeResponse(apiKey, version, frame).body as T);
  }

  interface AuthAnswer {
    errorCode: number;
    errorMessage?: string | null;
    sessionLifetimeMs?: bigint;
  }

  async function plain(
    c: RawClient,
    user: string,
    password: string,
    version = 2,
    mechanism = 'PLAIN',
  ): Promise<AuthAnswer | null> {
    const hs = await call<AuthAnswer>(c, ApiKey.SaslHandshake, 1, { mechanism });
    if (hs === null || hs.errorCode !== 0) return hs;
    return call<{ errorCode: number; errorMessage: string | null; sessionLifetimeMs?: bigint }>(
      c,
      ApiKey.SaslAuthenticate,
      version,
      { authBytes: Buffer.from(`\u0000${user}\u0000${password}`) },
    );
  }

  const metadata = (c: RawClient) => call<{ brokers: unknown[] }>(c, ApiKey.Metadata, 1, { topics: null });

  it('tells the session lifetime, takes a re-authentication as the same user, and refuses another principal or mechanism', async () => {
    const c = await RawClient.open(broker.bootstrap);
    const first = await plain(c, 'alice', 'alice-secret');
    assert.equal(first?.errorCode, 0);
    assert.equal(first?.sessionLifetimeMs, BigInt(REAUTH_MS));
    const again = await plain(c, 'alice', 'alice-secret');
    assert.equal(again?.errorCode, 0);
    assert.ok(await metadata(c));
    const other = await plain(c, 'admin', 'admin-secret');
    assert.equal(other?.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
    assert.match(String(other?.errorMessage), /Cannot change principals during re-authentication/);
    assert.equal(await c.closedByPeer(), true);

    const d = await RawClient.open(broker.bootstrap);
    assert.equal((await plain(d, 'alice', 'alice-secret'))?.errorCode, 0);
    const switched = await plain(d, 'alice', 'x', 2, 'SCRAM-SHA-256');
    assert.equal(switched?.errorCode, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
    assert.equal(await d.closedByPeer(), true);
  });

  it('closes a connection whose session expired, but not one authenticated with SaslAuthenticate v0', async () => {
    const expiring = await RawClient.open(broker.bootstrap);
    const old = await RawClient.open(broker.bootstrap);
    assert.equal((await plain(expiring, 'alice', 'alice-secret'))?.errorCode, 0);
    assert.equal((await plain(old, 'alice', 'alice-secret', 0))?.errorCode, 0);
    assert.ok(await metadata(expiring));
    await sleep(REAUTH_MS + 200);
    assert.equal(await metadata(expiring), null);
    assert.ok(await metadata(old), 'a v0 client cannot learn the lifetime, so its session does not end');
    old.close();
  });
});
