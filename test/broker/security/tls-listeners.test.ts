import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConnectionOptions } from 'node:tls';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { decodeResponse, encodeRequest } from '../../../src/protocol/frame.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import { type CapturedLine, captureLogger } from '../../helpers/capture-logger.js';
import { RawClient } from '../../helpers/raw-client.js';
import { makeTestCertificates, type TestCertificates } from '../../helpers/test-certificates.js';

/**
 * One broker, three listeners: PLAINTEXT, SECURE (TLS, client certificate required, principal
 * mapping rules) and OPTIONAL (TLS from a PKCS12 keystore given per listener, certificate requested).
 */
describe('TLS listeners', () => {
  let certs: TestCertificates;
  let broker: StartedBroker;
  const lines: CapturedLine[] = [];
  const address = (name: string) => {
    const l = broker.broker.listeners.find((b) => b.name === name)!;
    return `127.0.0.1:${l.boundPort}`;
  };

  before(async () => {
    certs = makeTestCertificates();
    broker = await startBroker({
      logger: captureLogger(lines),
      config: {
        listeners: 'PLAINTEXT://127.0.0.1:0,SECURE://127.0.0.1:0,OPTIONAL://127.0.0.1:0',
        'advertised.listeners': 'PLAINTEXT://127.0.0.1:0,SECURE://localhost:0,OPTIONAL://localhost:0',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SECURE:SSL,OPTIONAL:SSL',
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': certs.serverPemFile,
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': certs.caFile,
        'listener.name.secure.ssl.client.auth': 'required',
        // The required-auth listener trusts the CA through a PKCS12 truststore, the others through PEM.
        'listener.name.secure.ssl.truststore.type': 'PKCS12',
        'listener.name.secure.ssl.truststore.location': certs.caP12File,
        'listener.name.secure.ssl.truststore.password': 'trustpw',
        'ssl.principal.mapping.rules': 'RULE:^CN=([^,]*),OU=Eng,.*$/$1/U,DEFAULT',
        'listener.name.optional.ssl.client.auth': 'requested',
        'listener.name.optional.ssl.keystore.type': 'PKCS12',
        'listener.name.optional.ssl.keystore.location': certs.serverP12File,
        'listener.name.optional.ssl.keystore.password': 'serverpw',
      },
    });
  });

  after(async () => {
    await broker?.close();
    certs?.remove();
  });

  const tlsOptions = (client: 'alice' | 'mallory' | null): ConnectionOptions => ({
    ca: certs.caPem,
    servername: 'localhost',
    ...(client === 'alice' ? { key: certs.aliceKeyPem, cert: certs.aliceCertPem } : {}),
    ...(client === 'mallory' ? { key: certs.malloryKeyPem, cert: certs.malloryCertPem } : {}),
  });

  async function metadataBrokers(c: RawClient): Promise<{ host: string; port: number }[]> {
    c.write(encodeRequest(ApiKey.Metadata, 12, 7, 'tls-test', { topics: [], allowAutoTopicCreation: false }));
    const frame = await c.readFrame();
    assert.ok(frame, 'connection closed before the Metadata answer');
    const body = decodeResponse(ApiKey.Metadata, 12, frame).body as {
      brokers: { host: string; port: number }[];
    };
    return body.brokers.map((b) => ({ host: b.host, port: b.port }));
  }

  it('answers Metadata with the endpoints of the listener the client came in on', async () => {
    const plain = await RawClient.open(address('PLAINTEXT'));
    const secure = await RawClient.openTls(address('SECURE'), tlsOptions('alice'));
    const optional = await RawClient.openTls(address('OPTIONAL'), tlsOptions(null));
    try {
      const port = (name: string) => broker.broker.listeners.find((b) => b.name === name)!.boundPort;
      assert.deepEqual(await metadataBrokers(plain), [{ host: '127.0.0.1', port: port('PLAINTEXT') }]);
      assert.deepEqual(await metadataBrokers(secure), [{ host: 'localhost', port: port('SECURE') }]);
      assert.deepEqual(await metadataBrokers(optional), [{ host: 'localhost', port: port('OPTIONAL') }]);
    } finally {
      plain.close();
      secure.close();
      optional.close();
    }
  });

  it("takes the principal from the client certificate's name through ssl.principal.mapping.rules", async () => {
    const secure = await RawClient.openTls(address('SECURE'), tlsOptions('alice'));
    const optional = await RawClient.openTls(address('OPTIONAL'), tlsOptions(null));
    try {
      await metadataBrokers(secure);
      await metadataBrokers(optional);
      const principals = lines
        .filter((l) => l.msg === 'connection accepted')
        .map((l) => [String(l.fields.connectionId).split('-')[0], l.fields.principal]);
      assert.ok(
        principals.some(([name, p]) => name === 'SECURE' && p === 'User:ALICE'),
        JSON.stringify(principals),
      );
      assert.ok(principals.some(([name, p]) => name === 'OPTIONAL' && p === 'User:ANONYMOUS'));
    } finally {
      secure.close();
      optional.close();
    }
  });

  it('closes a TLS connection without a valid certificate where one is asked for, and logs it', async () => {
    const before = lines.length;
    // TLS 1.3 clients learn of the refusal after their handshake completes: the socket closes.
    const refused = async (listener: string, client: 'alice' | 'mallory' | null): Promise<boolean> => {
      try {
        const c = await RawClient.openTls(address(listener), tlsOptions(client));
        c.write(encodeRequest(ApiKey.ApiVersions, 0, 1, 'tls-test', {}));
        const frame = await c.readFrame().catch(() => null);
        c.close();
        return frame === null;
      } catch {
        return true;
      }
    };
    assert.equal(await refused('SECURE', null), true, 'no certificate on a required listener');
    assert.equal(await refused('SECURE', 'mallory'), true, 'an untrusted certificate on a required listener');
    assert.equal(
      await refused('OPTIONAL', 'mallory'),
      true,
      'an untrusted certificate on a requested listener',
    );
    assert.equal(await refused('OPTIONAL', 'alice'), false, 'a trusted certificate on a requested listener');
    const logged = lines.slice(before).filter((l) => /TLS .*failed/.test(l.msg));
    assert.ok(logged.length >= 3, JSON.stringify(lines.slice(before)));
    assert.ok(logged.every((l) => typeof l.fields.clientAddress === 'string'));
  });

  it('closes a plaintext client or garbage on a TLS port with a log line, and keeps serving', async () => {
    const before = lines.length;
    const plain = await RawClient.open(address('SECURE'));
    plain.write(encodeRequest(ApiKey.ApiVersions, 0, 1, 'plain-on-tls', {}));
    assert.equal(await plain.closedByPeer(), true);
    const garbage = await RawClient.open(address('OPTIONAL'));
    garbage.write(Buffer.from('\x16\x03\x01\x00\x05hello, this is not a TLS handshake'));
    assert.equal(await garbage.closedByPeer(), true);
    assert.ok(
      lines.slice(before).filter((l) => l.msg === 'TLS handshake failed; connection closed').length >= 2,
    );
    const good = await RawClient.openTls(address('SECURE'), tlsOptions('alice'));
    assert.equal((await metadataBrokers(good)).length, 1);
    good.close();
  });
});
