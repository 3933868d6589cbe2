import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BrokerConfig } from '../../../src/broker/config/broker-config.js';
import { listenerTls } from '../../../src/broker/security/tls-server-options.js';
import { InvalidConfigError } from '../../../src/common/config-def.js';
import { makeTestCertificates, type TestCertificates } from '../../helpers/test-certificates.js';

describe('TLS settings of a listener', () => {
  let certs: TestCertificates;
  before(() => {
    certs = makeTestCertificates();
  });
  after(() => certs?.remove());

  const tls = (entries: Record<string, string>) =>
    listenerTls(
      new BrokerConfig(
        new Map(
          Object.entries({ listeners: 'SSL://:0', 'security.inter.broker.protocol': 'SSL', ...entries }),
        ),
      ),
      'SSL',
    );
  const refusal = (entries: Record<string, string>): string => {
    try {
      tls(entries);
    } catch (err) {
      assert.ok(err instanceof InvalidConfigError, String(err));
      return err.message;
    }
    assert.fail('accepted');
  };

  it('reads PEM keystores from a file or inline (KIP-651), encrypted keys with ssl.key.password, and PKCS12', () => {
    assert.ok(tls({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.serverPemFile }).options.key);
    const inline = tls({
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.key': certs.serverKeyPem,
      'ssl.keystore.certificate.chain': certs.serverCertPem,
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.certificates': certs.caPem,
      'ssl.client.auth': 'required',
    });
    assert.equal(inline.options.requestCert, true);
    assert.equal(inline.options.rejectUnauthorized, true);
    tls({
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': certs.serverEncryptedPemFile,
      'ssl.key.password': 'keypw',
    });
    tls({
      'ssl.keystore.type': 'PKCS12',
      'ssl.keystore.location': certs.serverP12File,
      'ssl.keystore.password': 'serverpw',
    });
    // Java reads a PKCS12 file whose type says JKS (the default): so does Strom.
    tls({ 'ssl.keystore.location': certs.serverP12File, 'ssl.keystore.password': 'serverpw' });
  });

  it('refuses unusable stores with the key named and what to do', () => {
    const jks = join(certs.dir, 'server.jks');
    writeFileSync(jks, Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]));
    assert.match(refusal({ 'ssl.keystore.location': jks }), /JKS keystore.*keytool -importkeystore/);
    assert.match(refusal({}), /listener SSL uses TLS and needs a keystore/);
    assert.match(
      refusal({ 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': certs.serverPemFile }),
      /set ssl.keystore.type=PEM/,
    );
    assert.match(
      refusal({
        'ssl.keystore.type': 'PKCS12',
        'ssl.keystore.location': certs.serverP12File,
        'ssl.keystore.password': 'wrong',
      }),
      /TLS settings not usable/,
    );
    assert.match(
      refusal({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.serverEncryptedPemFile }),
      /ssl.key.password/,
    );
    assert.match(
      refusal({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': join(certs.dir, 'missing.pem') }),
      /cannot read/,
    );
    assert.match(
      refusal({
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': certs.serverPemFile,
        'ssl.client.auth': 'required',
      }),
      /no truststore/,
    );
    assert.match(
      refusal({
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': certs.serverPemFile,
        'ssl.truststore.type': 'PKCS12',
        'ssl.truststore.location': certs.caP12File,
        'ssl.truststore.password': 'wrong',
      }),
      /cannot read .* as a PKCS12 truststore \(wrong ssl.truststore.password/,
    );
    assert.match(
      refusal({
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': certs.serverPemFile,
        'ssl.cipher.suites': 'NO_SUCH_SUITE',
      }),
      /TLS settings not usable/,
    );
  });

  it('reads the trusted certificates of a PKCS12 truststore, as Java does', () => {
    const t = tls({
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': certs.serverPemFile,
      'ssl.truststore.type': 'PKCS12',
      'ssl.truststore.location': certs.caP12File,
      'ssl.truststore.password': 'trustpw',
    });
    const pem = (text: string) => text.replace(/\s+/g, '');
    assert.equal(pem(String(t.options.ca)), pem(certs.caPem));
  });

  it('takes ssl.enabled.protocols and Java names of cipher suites', () => {
    const t = tls({
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': certs.serverPemFile,
      'ssl.enabled.protocols': 'TLSv1.2',
      'ssl.cipher.suites': 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_AES_128_GCM_SHA256',
    });
    assert.equal(t.options.minVersion, 'TLSv1.2');
    assert.equal(t.options.maxVersion, 'TLSv1.2');
    assert.equal(t.options.ciphers, 'ECDHE-RSA-AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256');
  });
});
