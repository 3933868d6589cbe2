import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseJaasConfig } from '../../../../src/broker/security/sasl/jaas-config.js';
import { PlainSaslServer, plainPasswords } from '../../../../src/broker/security/sasl/plain-server.js';
import { SaslAuthenticationError } from '../../../../src/broker/security/sasl/sasl-server.js';
import { ScramSaslServer } from '../../../../src/broker/security/sasl/scram-server.js';
import { saslClientExchange } from '../../../../src/client/network/sasl-mechanism.js';
import { InvalidConfigError } from '../../../../src/common/config-def.js';
import { saltedPassword, scramCredential } from '../../../../src/metadata/scram-formatter.js';

// RFC 7677 §3: user "user", password "pencil", 4096 iterations.
const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const SERVER_NONCE = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const CLIENT_FIRST = 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO';
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const CLIENT_FINAL =
  'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

const pencil = scramCredential(
  'SCRAM-SHA-256',
  saltedPassword('SCRAM-SHA-256', 'pencil', SALT, 4096),
  SALT,
  4096,
);
const rfcServer = () =>
  new ScramSaslServer(
    'SCRAM-SHA-256',
    (u) => (u === 'user' ? pencil : null),
    () => SERVER_NONCE,
  );

describe('SCRAM', () => {
  it("answers RFC 7677's SCRAM-SHA-256 exchange byte for byte", () => {
    const server = rfcServer();
    const first = server.evaluate(Buffer.from(CLIENT_FIRST));
    assert.equal(first.response.toString(), SERVER_FIRST);
    assert.equal(first.authenticatedUser, null);
    const final = server.evaluate(Buffer.from(CLIENT_FINAL));
    assert.equal(final.response.toString(), SERVER_FINAL);
    assert.equal(final.authenticatedUser, 'user');
  });

  it("accepts librdkafka's final nonce, its client nonce again in front of the server's, as Kafka does", () => {
    const server = rfcServer();
    server.evaluate(Buffer.from(CLIENT_FIRST));
    // The proof covers the message as sent, so a client that repeats its nonce computes its own.
    const withoutProof = 'c=biws,r=rOprNGfwEbeRWgbNEkqOrOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const salted = saltedPassword('SCRAM-SHA-256', 'pencil', SALT, 4096);
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const authMessage = `${CLIENT_FIRST.slice(3)},${SERVER_FIRST},${withoutProof}`;
    const signature = createHmac('sha256', pencil.storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
    const final = server.evaluate(Buffer.from(`${withoutProof},p=${proof.toString('base64')}`));
    assert.equal(final.authenticatedUser, 'user');
  });

  it('refuses a wrong proof, a changed nonce, a wrong channel binding and an unknown user', () => {
    const finals = [
      CLIENT_FINAL.replace('p=dHzb', 'p=dHzc'),
      CLIENT_FINAL.replace('$k0,', '$k1,'),
      CLIENT_FINAL.replace('c=biws', 'c=eSws'),
    ];
    for (const bad of finals) {
      const s = rfcServer();
      s.evaluate(Buffer.from(CLIENT_FIRST));
      assert.throws(() => s.evaluate(Buffer.from(bad)), SaslAuthenticationError, bad);
    }
    assert.throws(
      () => rfcServer().evaluate(Buffer.from('n,,n=someone,r=abc')),
      (err: unknown) => {
        assert.ok(err instanceof SaslAuthenticationError);
        assert.equal(err.user, 'someone');
        assert.match(err.message, /invalid credentials with SASL mechanism SCRAM-SHA-256/);
        return true;
      },
    );
    assert.throws(() => rfcServer().evaluate(Buffer.from('garbage')), SaslAuthenticationError);
  });

  it("completes the Strom client's exchange for both mechanisms, and the client checks the server's signature", () => {
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
      const salt = Buffer.from('salt-of-alice');
      const c = scramCredential(mechanism, saltedPassword(mechanism, 'alice-secret', salt, 4096), salt, 4096);
      const server = new ScramSaslServer(mechanism, () => c);
      const client = saslClientExchange({
        mechanism: mechanism.toLowerCase() as 'scram-sha-256',
        username: 'alice',
        password: 'alice-secret',
      });
      const first = server.evaluate(client.initial());
      const final = server.evaluate(client.next(first.response)!);
      assert.equal(final.authenticatedUser, 'alice');
      assert.equal(client.next(final.response), null);
    }
    const client = saslClientExchange({ mechanism: 'scram-sha-256', username: 'user', password: 'pencil' });
    const server = rfcServer();
    const first = server.evaluate(client.initial());
    server.evaluate(client.next(first.response)!);
    assert.throws(() => client.next(Buffer.from('v=AAAA')), /invalid server signature/);
  });
});

describe('PLAIN', () => {
  const server = () =>
    new PlainSaslServer(
      plainPasswords(
        new Map([
          ['user_alice', 'alice-secret'],
          ['username', 'admin'],
        ]),
      ),
    );

  it('accepts the users of user_<name> options, with an empty or equal authorization id', () => {
    assert.equal(server().evaluate(Buffer.from('\u0000alice\u0000alice-secret')).authenticatedUser, 'alice');
    assert.equal(
      server().evaluate(Buffer.from('alice\u0000alice\u0000alice-secret')).authenticatedUser,
      'alice',
    );
  });

  it('refuses wrong passwords, unknown users, other authorization ids and malformed tokens', () => {
    for (const token of [
      '\u0000alice\u0000wrong',
      '\u0000admin\u0000admin',
      '\u0000nobody\u0000x',
      'bob\u0000alice\u0000alice-secret',
      'alice-secret',
      '\u0000\u0000x',
    ]) {
      assert.throws(
        () => server().evaluate(Buffer.from(token)),
        SaslAuthenticationError,
        JSON.stringify(token),
      );
    }
  });
});

describe('JAAS configuration', () => {
  it("parses Kafka's sasl.jaas.config syntax", () => {
    const m = parseJaasConfig(
      `org.apache.kafka.common.security.plain.PlainLoginModule required
        username="admin" password="admin-secret"
        user_admin="admin-secret" user_alice='alice "quoted" secret' debug=true;`,
      'k',
    );
    assert.equal(m.loginModule, 'org.apache.kafka.common.security.plain.PlainLoginModule');
    assert.equal(m.controlFlag, 'required');
    assert.deepEqual(
      [...m.options],
      [
        ['username', 'admin'],
        ['password', 'admin-secret'],
        ['user_admin', 'admin-secret'],
        ['user_alice', 'alice "quoted" secret'],
        ['debug', 'true'],
      ],
    );
  });

  it('refuses what Kafka refuses: no flag, no semicolon, several modules', () => {
    for (const bad of [
      'org.Module username="a";',
      'org.Module required username="a"',
      'org.A required; org.B required;',
      'org.Module required username=;',
      'org.Module required username="open;',
    ]) {
      assert.throws(() => parseJaasConfig(bad, 'k'), InvalidConfigError, bad);
    }
  });
});
