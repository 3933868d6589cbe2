import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka } from '../../src/client/index.js';
import { type StartedNode, startNode } from './http-node.js';

/**
 * A broker with a SASL listener: the console asks for a login, checks it with the broker's own
 * SASL authenticator (PLAIN users of the listener's JAAS config, SCRAM users of the metadata), and
 * keeps the login in an HttpOnly, SameSite=Strict session cookie.
 */
describe('web console login', { timeout: 60_000 }, () => {
  let node: StartedNode;

  before(async () => {
    node = await startNode({
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config':
        'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_alice="alice-secret";',
      'connection.failed.authentication.delay.ms': '10',
    });
    const admin = new Kafka({ bootstrapServers: node.bootstrap }).admin();
    try {
      await admin.alterUserScramCredentials([
        { kind: 'upsert', user: 'bob', mechanism: 'SCRAM-SHA-256', iterations: 4096, password: 'bob-secret' },
        { kind: 'upsert', user: 'bob', mechanism: 'SCRAM-SHA-512', iterations: 4096, password: 'bob-secret' },
      ]);
    } finally {
      await admin.close();
    }
  });

  after(async () => {
    await node?.close();
  });

  const login = (mechanism: string, username: string, password: string) =>
    fetch(`${node.http}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mechanism, username, password }),
    });

  it('answers 401 until a login, and says which mechanisms it takes', async () => {
    const session = await (await fetch(`${node.http}/api/session`)).json();
    assert.deepEqual(session, {
      loginRequired: true,
      principal: null,
      mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
      localOnly: true,
    });
    const refused = await fetch(`${node.http}/api/topics`);
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { error: string }).error, 'UNAUTHENTICATED');
    assert.equal((await fetch(`${node.http}/`)).status, 200, 'the page itself loads, to show the login form');
    const forged = await fetch(`${node.http}/api/topics`, { headers: { cookie: 'strom_console=made-up' } });
    assert.equal(forged.status, 401);
  });

  it('refuses wrong passwords, unknown users and mechanisms the broker does not enable', async () => {
    for (const [mechanism, user, password, status] of [
      ['PLAIN', 'alice', 'wrong', 401],
      ['PLAIN', 'mallory', 'alice-secret', 401],
      ['SCRAM-SHA-256', 'bob', 'wrong', 401],
      ['SCRAM-SHA-512', 'nobody', 'bob-secret', 401],
      ['GSSAPI', 'bob', 'bob-secret', 400],
    ] as const) {
      const r = await login(mechanism, user, password);
      assert.equal(r.status, status, `${mechanism} ${user}`);
      assert.equal(r.headers.get('set-cookie'), null);
    }
  });

  for (const [mechanism, user, password] of [
    ['PLAIN', 'alice', 'alice-secret'],
    ['SCRAM-SHA-256', 'bob', 'bob-secret'],
    ['SCRAM-SHA-512', 'bob', 'bob-secret'],
  ] as const) {
    it(`signs in with ${mechanism} and serves the API as User:${user} until the logout`, async () => {
      const r = await login(mechanism, user, password);
      assert.equal(r.status, 200);
      assert.deepEqual(await r.json(), { principal: `User:${user}` });
      const cookie = r.headers.get('set-cookie') ?? '';
      assert.match(cookie, /^strom_console=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=28800$/);
      const headers = { cookie: cookie.split(';')[0]! };
      const session = (await (await fetch(`${node.http}/api/session`, { headers })).json()) as {
        principal: string;
      };
      assert.equal(session.principal, `User:${user}`);
      assert.equal((await fetch(`${node.http}/api/topics`, { headers })).status, 200);
      const out = await fetch(`${node.http}/api/logout`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{}',
      });
      assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
      assert.equal((await fetch(`${node.http}/api/topics`, { headers })).status, 401);
    });
  }
});
