import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { backoffMs, sleep } from '../../src/client/backoff.js';
import { CLIENT_ERROR_CODES, ClientError, KafkaError } from '../../src/client/client-error.js';
import { withRetry } from '../../src/client/network/retry.js';
import { StromError } from '../../src/common/strom-error.js';

const options = { retryBackoffMs: 100, retryBackoffMaxMs: 1000, jitter: 0.2 };

describe('backoff', () => {
  it('doubles per attempt up to the maximum', () => {
    const mid = () => 0.5;
    assert.deepEqual(
      [0, 1, 2, 3, 4, 10].map((a) => backoffMs(a, options, mid)),
      [100, 200, 400, 800, 1000, 1000],
    );
  });

  it('spreads each delay by the jitter fraction either side', () => {
    assert.equal(
      backoffMs(1, options, () => 0),
      160,
    );
    assert.equal(
      backoffMs(1, options, () => 0.999999),
      240,
    );
    for (let i = 0; i < 100; i++) {
      const d = backoffMs(3, options);
      assert.ok(d >= 640 && d <= 960, `${d}`);
    }
  });

  it('sleep rejects with ABORTED when the signal fires', async () => {
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal);
    ac.abort();
    await assert.rejects(p, { code: 'ABORTED' });
  });

  it('retries retriable errors only, up to the limit', async () => {
    let calls = 0;
    const fast = { retryBackoffMs: 1, retryBackoffMaxMs: 1, jitter: 0 };
    const result = await withRetry(
      async () => {
        if (++calls < 3) throw new ClientError('CONNECTION_CLOSED', 'flaky');
        return 'ok';
      },
      { retries: 5, backoff: fast },
    );
    assert.equal(result, 'ok');
    assert.equal(calls, 3);

    calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new ClientError('INVALID_ARGUMENT', 'bad');
        },
        { retries: 5, backoff: fast },
      ),
      { code: 'INVALID_ARGUMENT' },
    );
    assert.equal(calls, 1);

    calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new ClientError('REQUEST_TIMEOUT', 'slow');
        },
        { retries: 2, backoff: fast },
      ),
      { code: 'REQUEST_TIMEOUT' },
    );
    assert.equal(calls, 3);
  });
});

describe('client error codes', () => {
  it('every code is documented in docs/client.md', () => {
    const doc = readFileSync(join(process.cwd(), 'docs/client.md'), 'utf8');
    for (const code of CLIENT_ERROR_CODES)
      assert.ok(doc.includes(`| \`${code}\``), `${code} is not documented`);
  });

  it('broker errors carry the Kafka code, name and retriability', () => {
    const e = new KafkaError(6, 'orders-0');
    assert.equal(e.code, 'KAFKA_ERROR');
    assert.equal(e.kafkaCode, 6);
    assert.equal(e.kafkaName, 'NOT_LEADER_OR_FOLLOWER');
    assert.equal(e.retriable, true);
    assert.equal(new KafkaError(36, 't').retriable, false);
    assert.ok(e instanceof StromError);
  });
});
