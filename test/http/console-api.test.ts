import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka } from '../../src/client/index.js';
import { type StartedNode, startNode } from './http-node.js';

interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: string; message?: string };
  headers: Headers;
}

async function call(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
}

function post(
  base: string,
  path: string,
  body: unknown,
  extra: Record<string, string> = {},
): Promise<Answer> {
  return call(base, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...extra },
    body: JSON.stringify(body),
  });
}

/** The console's JSON API without a browser: what it answers, and what it refuses with which status. */
describe('web console API', { timeout: 60_000 }, () => {
  let node: StartedNode;
  let kafka: Kafka;

  before(async () => {
    node = await startNode();
    kafka = new Kafka({ bootstrapServers: node.bootstrap });
    assert.equal((await post(node.http, '/api/topics', { name: 'events', partitions: 2 })).status, 201);
    const producer = kafka.producer();
    for (let i = 0; i < 300; i++) {
      await producer.send('events', {
        partition: i % 2,
        key: `k${i}`,
        value: i === 7 ? 'x'.repeat(40_000) : JSON.stringify({ n: i }),
        headers: { n: String(i) },
        timestamp: 1_000_000 + i,
      });
    }
    await producer.close();
  });

  after(async () => {
    await node?.close();
  });

  it('serves the console page with a content security policy, and only its own files', async () => {
    const page = await fetch(`${node.http}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.match(await page.text(), /<main id="main"/);
    assert.equal((await fetch(`${node.http}/console/app.js`)).status, 200);
    for (const path of [
      '/console/../package.json',
      '/console/%2e%2e/package.json',
      '/console/nope.js',
      '/x',
    ]) {
      assert.equal((await fetch(`${node.http}${path}`)).status, 404, path);
    }
    assert.equal((await fetch(`${node.http}/`, { method: 'POST', body: 'x' })).status, 404);
  });

  it('lists topics a page at a time with a search, and describes one', async () => {
    for (const name of ['a-1', 'a-2', 'b-1']) await post(node.http, '/api/topics', { name });
    const page = await call(node.http, '/api/topics?search=A-&limit=1&offset=1');
    assert.equal(page.status, 200);
    assert.equal(page.body.total, 2);
    assert.deepEqual(
      (page.body.topics as { name: string }[]).map((t) => t.name),
      ['a-2'],
    );
    const all = await call(node.http, '/api/topics?internal=true&limit=500');
    const names = (all.body.topics as { name: string }[]).map((t) => t.name);
    assert.ok(names.includes('events') && names.includes('b-1'));
    const events = await call(node.http, '/api/topics/events');
    const parts = events.body.partitions as {
      partition: number;
      highWatermark: number;
      logStartOffset: number;
    }[];
    assert.deepEqual(
      parts.map((p) => [p.partition, p.logStartOffset, p.highWatermark]),
      [
        [0, 0, 150],
        [1, 0, 150],
      ],
    );
    const configs = events.body.configs as { name: string; source: string }[];
    assert.equal(configs.find((c) => c.name === 'cleanup.policy')?.source, 'DEFAULT_CONFIG');
  });

  it('browses records from the newest, the oldest, an offset, a time and positions, with filters', async () => {
    type Rec = {
      partition: number;
      offset: number;
      key: string;
      value: string;
      truncated: boolean;
      valueBytes: number;
    };
    const get = async (q: string) => {
      const r = await call(node.http, `/api/topics/events/messages?${q}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body as { records: Rec[]; next: Record<string, number> };
    };
    const text = (b64: string) => Buffer.from(b64, 'base64').toString();
    const newest = await get('partition=0&mode=newest&limit=5');
    assert.deepEqual(
      newest.records.map((r) => r.offset),
      [145, 146, 147, 148, 149],
    );
    assert.deepEqual(newest.next, { 0: 150 });
    const oldest = await get('partition=1&mode=oldest&limit=3');
    assert.deepEqual(
      oldest.records.map((r) => text(r.key)),
      ['k1', 'k3', 'k5'],
    );
    const big = (await get('partition=1&mode=offset&value=3&limit=1')).records[0]!;
    assert.equal(big.offset, 3);
    assert.equal(big.truncated, true);
    assert.equal(big.valueBytes, 40_000);
    assert.equal(Buffer.from(big.value, 'base64').length, 16 * 1024);
    const byTime = await get(`partition=all&mode=timestamp&value=${1_000_000 + 100}&limit=2`);
    assert.deepEqual(
      byTime.records.map((r) => text(r.key)),
      ['k100', 'k101'],
    );
    const byKey = await get('mode=newest&key=k29&limit=50');
    assert.deepEqual(
      byKey.records.map((r) => text(r.key)),
      ['k29', 'k290', 'k291', 'k292', 'k293', 'k294', 'k295', 'k296', 'k297', 'k298', 'k299'],
    );
    const byText = await get('mode=oldest&filter=%22n%22%3A42%7D');
    assert.deepEqual(
      byText.records.map((r) => text(r.value)),
      ['{"n":42}'],
    );
    const tail = await get('mode=positions&positions=0:149,1:150');
    assert.deepEqual(
      tail.records.map((r) => [r.partition, r.offset]),
      [[0, 149]],
    );
    assert.deepEqual(tail.next, { 0: 150, 1: 150 });
  });

  it('produces a test message and alters configs', async () => {
    const r = await post(node.http, '/api/topics/events/messages', {
      partition: 1,
      key: null,
      value: 'hello',
      headers: [{ key: 'h', value: 'v' }],
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { topic: 'events', partition: 1, offset: 150 });
    const altered = await post(node.http, '/api/topics/events/configs', {
      set: { 'retention.ms': '3600000' },
    });
    assert.equal(altered.status, 200);
    const configs = (await call(node.http, '/api/topics/events')).body.configs as {
      name: string;
      value: string;
    }[];
    assert.equal(configs.find((c) => c.name === 'retention.ms')?.value, '3600000');
  });

  it('answers bad input 4xx with a JSON error and keeps serving', async () => {
    const cases: [Promise<Answer>, number, string][] = [
      [call(node.http, '/api/nope'), 404, 'NOT_FOUND'],
      [call(node.http, '/api/topics', { method: 'PUT' }), 405, 'METHOD_NOT_ALLOWED'],
      [call(node.http, '/api/topics/missing'), 404, 'UNKNOWN_TOPIC_OR_PARTITION'],
      [call(node.http, '/api/topics/%E0%A4%A'), 400, 'BAD_REQUEST'],
      [call(node.http, '/api/topics?limit=0'), 400, 'BAD_REQUEST'],
      [call(node.http, '/api/topics?limit=abc'), 400, 'BAD_REQUEST'],
      [call(node.http, '/api/topics/events/messages?limit=201'), 400, 'BAD_REQUEST'],
      [call(node.http, '/api/topics/events/messages?mode=sideways'), 400, 'BAD_REQUEST'],
      [call(node.http, '/api/topics/events/messages?partition=x'), 400, 'BAD_REQUEST'],
      [call(node.http, '/api/topics/events/messages?partition=9'), 404, 'UNKNOWN_TOPIC_OR_PARTITION'],
      [call(node.http, '/api/topics/events/messages?mode=offset&value=-1'), 400, 'BAD_REQUEST'],
      [call(node.http, '/api/topics/events/messages?mode=positions&positions=0-1'), 400, 'BAD_REQUEST'],
      [call(node.http, '/api/topics/events/messages?mode=offset&value=99999'), 200, ''],
      [
        call(node.http, '/api/topics', {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: '{}',
        }),
        400,
        'BAD_REQUEST',
      ],
      [
        call(node.http, '/api/topics', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"name":',
        }),
        400,
        'BAD_REQUEST',
      ],
      [post(node.http, '/api/topics', ['events']), 400, 'BAD_REQUEST'],
      [post(node.http, '/api/topics', { name: '' }), 400, 'BAD_REQUEST'],
      [post(node.http, '/api/topics', { name: 'events' }), 409, 'TOPIC_ALREADY_EXISTS'],
      [post(node.http, '/api/topics', { name: 'bad/name' }), 400, 'INVALID_TOPIC_EXCEPTION'],
      [post(node.http, '/api/topics', { name: 'p', partitions: 0 }), 400, 'BAD_REQUEST'],
      [
        post(node.http, '/api/topics', { name: 'c', configs: { 'cleanup.policy': 'sometimes' } }),
        400,
        'INVALID_CONFIG',
      ],
      [post(node.http, '/api/topics/events/configs', {}), 400, 'BAD_REQUEST'],
      [
        post(node.http, '/api/topics/events/configs', { set: { 'retention.ms': 'soon' } }),
        400,
        'INVALID_CONFIG',
      ],
      [
        post(node.http, '/api/topics/events/messages', { partition: 7, value: 'x' }),
        404,
        'UNKNOWN_TOPIC_OR_PARTITION',
      ],
      [post(node.http, '/api/topics/events/messages', { value: 5 }), 400, 'BAD_REQUEST'],
      [
        post(node.http, '/api/topics/events/messages', { value: 'x', headers: [{ value: 'v' }] }),
        400,
        'BAD_REQUEST',
      ],
      [post(node.http, '/api/groups/g/reset', { to: 'yesterday' }), 400, 'BAD_REQUEST'],
      [post(node.http, '/api/groups/g/reset', { to: 'offset' }), 400, 'BAD_REQUEST'],
      [post(node.http, '/api/groups/g/reset', { to: 'earliest' }), 400, 'BAD_REQUEST'],
      [
        post(node.http, '/api/groups/g/reset', { to: 'earliest', topic: 'missing' }),
        404,
        'UNKNOWN_TOPIC_OR_PARTITION',
      ],
      [call(node.http, '/api/groups/missing'), 404, 'GROUP_ID_NOT_FOUND'],
      [call(node.http, '/api/topics/missing', { method: 'DELETE' }), 404, 'UNKNOWN_TOPIC_OR_PARTITION'],
    ];
    for (const [answer, status, error] of cases) {
      const a = await answer;
      assert.equal(a.status, status, `${JSON.stringify(a.body)} for ${error}`);
      if (error !== '') {
        assert.equal(a.body.error, error);
        assert.equal(typeof a.body.message, 'string');
        assert.match(a.headers.get('content-type') ?? '', /^application\/json/);
      }
    }
    const tooLarge = await post(node.http, '/api/topics/events/messages', {
      value: 'x'.repeat(2 * 1024 * 1024),
    });
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.body.error, 'BODY_TOO_LARGE');
    assert.equal((await call(node.http, '/api/overview')).status, 200);
  });

  it('resets a group with a dry run, refuses while it has members, and deletes it once empty', async () => {
    const dry = await post(node.http, '/api/groups/readers/reset', {
      to: 'offset',
      value: 140,
      topic: 'events',
    });
    assert.equal(dry.status, 200);
    assert.equal(dry.body.dryRun, true);
    assert.deepEqual(dry.body.plan, [
      { topic: 'events', partition: 0, currentOffset: null, newOffset: 140 },
      { topic: 'events', partition: 1, currentOffset: null, newOffset: 140 },
    ]);
    assert.equal((await call(node.http, '/api/groups/readers')).status, 404, 'a dry run commits nothing');
    const done = await post(node.http, '/api/groups/readers/reset', {
      to: 'timestamp',
      value: 1_000_000 + 290,
      topic: 'events',
      dryRun: false,
    });
    assert.equal(done.status, 200);
    const group = await call(node.http, '/api/groups/readers');
    assert.deepEqual(
      (group.body.lag as { partition: number; committedOffset: number; lag: number }[]).map((l) => [
        l.partition,
        l.committedOffset,
        l.lag,
      ]),
      [
        [0, 145, 5],
        [1, 145, 6],
      ],
    );
    assert.equal(group.body.totalLag, 11);

    const consumer = kafka.consumer({ groupId: 'readers', autoCommit: false });
    consumer.subscribe(['events']);
    while ((await consumer.poll({ timeoutMs: 500 })).length === 0) {}
    const refused = await post(node.http, '/api/groups/readers/reset', { to: 'earliest', dryRun: false });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error, 'GROUP_NOT_INACTIVE');
    const notEmpty = await call(node.http, '/api/groups/readers', { method: 'DELETE' });
    assert.equal(notEmpty.status, 409);
    assert.equal(notEmpty.body.error, 'NON_EMPTY_GROUP');
    const list = await call(node.http, '/api/groups');
    assert.deepEqual(
      (list.body.groups as { groupId: string; members: number }[]).map((g) => [g.groupId, g.members]),
      [['readers', 1]],
    );
    await consumer.close();
    assert.equal((await call(node.http, '/api/groups/readers', { method: 'DELETE' })).status, 200);
    assert.equal((await call(node.http, '/api/groups/readers')).status, 404);
  });
});
