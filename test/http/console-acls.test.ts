import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka } from '../../src/client/index.js';
import { launchChromium } from '../helpers/system-chromium.js';
import { type StartedNode, startNode } from './http-node.js';

/**
 * A broker with an authorizer: the console answers through the broker's own handlers as the
 * signed-in principal, so what that principal may not describe it neither lists nor shows.
 */
describe('web console with ACLs', { timeout: 60_000 }, () => {
  let node: StartedNode;

  before(async () => {
    node = await startNode({
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config':
        'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";',
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      // The test sets up over PLAINTEXT (User:ANONYMOUS); alice is not a super user.
      'super.users': 'User:admin;User:ANONYMOUS',
      'connection.failed.authentication.delay.ms': '10',
    });
    const kafka = new Kafka({ bootstrapServers: node.bootstrap });
    const admin = kafka.admin();
    try {
      await admin.createTopics([
        { topic: 'open-orders', numPartitions: 2 },
        { topic: 'secret-payroll', numPartitions: 1 },
      ]);
      const created = await admin.createAcls(
        (['DESCRIBE', 'READ'] as const).map((operation) => ({
          resourceType: 'TOPIC' as const,
          resourceName: 'open-orders',
          principal: 'User:alice',
          operation,
          permissionType: 'ALLOW' as const,
        })),
      );
      assert.deepEqual(
        created.map((c) => c.errorCode),
        [0, 0],
      );
    } finally {
      await admin.close();
    }
    const producer = kafka.producer();
    try {
      await producer.send('secret-payroll', { key: 'bob', value: 'salary' });
    } finally {
      await producer.close();
    }
  });

  after(async () => {
    await node?.close();
  });

  async function signIn(user: string): Promise<Record<string, string>> {
    const r = await fetch(`${node.http}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mechanism: 'PLAIN', username: user, password: `${user}-secret` }),
    });
    assert.equal(r.status, 200);
    return { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0]! };
  }

  const get = async (path: string, headers: Record<string, string>) => {
    const r = await fetch(`${node.http}${path}`, { headers });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const topicNames = (body: Record<string, unknown>) =>
    (body.topics as { name: string }[]).map((t) => t.name).sort();

  it('lists, shows and browses only the topics the principal may describe', async () => {
    const alice = await signIn('alice');
    const list = await get('/api/topics', alice);
    assert.equal(list.status, 200);
    assert.deepEqual(topicNames(list.body), ['open-orders']);
    assert.equal(list.body.total, 1, 'the count does not betray the hidden topic');
    const searched = await get('/api/topics?search=payroll', alice);
    assert.deepEqual(topicNames(searched.body), []);

    const open = await get('/api/topics/open-orders', alice);
    assert.equal(open.status, 200);
    assert.equal((open.body.partitions as unknown[]).length, 2);
    assert.equal(open.body.configs, null, 'describe does not grant describe_configs');
    assert.deepEqual((open.body.configsError as { error: string }).error, 'TOPIC_AUTHORIZATION_FAILED');
    const detail = await get('/api/topics/secret-payroll', alice);
    assert.equal(detail.status, 403);
    assert.equal(detail.body.error, 'TOPIC_AUTHORIZATION_FAILED');
    const records = await get('/api/topics/secret-payroll/messages?mode=oldest', alice);
    assert.equal(records.status, 403);
    assert.equal(records.body.error, 'TOPIC_AUTHORIZATION_FAILED');
    assert.ok(!JSON.stringify(records.body).includes('salary'));
    const produced = await fetch(`${node.http}/api/topics/secret-payroll/messages`, {
      method: 'POST',
      headers: { ...alice, 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'raise' }),
    });
    assert.equal(produced.status, 403);
    const deleted = await fetch(`${node.http}/api/topics/open-orders`, { method: 'DELETE', headers: alice });
    assert.equal(deleted.status, 403, 'describe and read do not grant delete');

    // A super user signed in to the same console sees everything.
    const admin = await signIn('admin');
    assert.deepEqual(topicNames((await get('/api/topics', admin)).body), ['open-orders', 'secret-payroll']);
    const secret = await get('/api/topics/secret-payroll', admin);
    assert.equal(secret.status, 200);
    assert.ok(Array.isArray(secret.body.configs));
  });

  it('shows the signed-in principal only those topics in the browser, and the error for the others', async () => {
    const browser = await launchChromium();
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      page.setDefaultTimeout(15_000);
      await page.goto(`${node.http}/#/topics`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByLabel('User', { exact: true }).fill('alice');
      await page.getByLabel('Password', { exact: true }).fill('alice-secret');
      await page.getByLabel('Mechanism', { exact: true }).selectOption('PLAIN');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Topics', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'open-orders' }).waitFor();
      assert.equal(await page.getByText('secret-payroll').count(), 0, 'the hidden topic is not listed');

      await page.getByRole('link', { name: 'open-orders' }).click();
      await page.getByRole('heading', { name: 'open-orders', level: 1 }).waitFor();
      assert.equal(await page.getByRole('table', { name: 'Partitions' }).locator('tbody tr').count(), 2);
      await page
        .getByText("Not authorized to describe this topic's configs (TOPIC_AUTHORIZATION_FAILED).")
        .waitFor();

      await page.goto(`${node.http}/#/topics/secret-payroll`);
      await page.getByRole('alert').filter({ hasText: 'TOPIC_AUTHORIZATION_FAILED' }).waitFor();
      assert.equal(await page.getByText('salary').count(), 0);
    } finally {
      await browser.close();
    }
  });
});
