import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordAccumulator } from '../../src/client/producer/record-accumulator.js';

function accumulator(overrides: Partial<ConstructorParameters<typeof RecordAccumulator>[0]> = {}) {
  let now = 0;
  const acc = new RecordAccumulator({
    batchSize: 1000,
    lingerMs: 10,
    bufferMemory: 300,
    maxBlockMs: 60_000,
    now: () => now,
    ...overrides,
  });
  return { acc, advance: (ms: number) => (now += ms) };
}

const noop = (): void => {};

describe('record accumulator', () => {
  it('holds a batch until linger.ms passes, then drains it', () => {
    const { acc, advance } = accumulator();
    const { batch } = acc.batchFor('t', 0, 50);
    batch.append(0, null, Buffer.alloc(10), [], noop);
    assert.deepEqual(
      acc.drainReady(() => true),
      [],
    );
    assert.equal(acc.nextReadyInMs(), 10);
    advance(10);
    assert.deepEqual(
      acc.drainReady(() => true),
      [batch],
    );
    assert.equal(acc.hasBatches(), false);
  });

  it('starts a new batch when the record would pass batch.size; the full one is ready at once', () => {
    const { acc } = accumulator({ batchSize: 200 });
    const first = acc.batchFor('t', 0, 100);
    first.batch.append(0, null, Buffer.alloc(100), [], noop);
    const second = acc.batchFor('t', 0, 150);
    assert.equal(second.created, true);
    assert.notEqual(second.batch, first.batch);
    assert.deepEqual(
      acc.drainReady(() => true),
      [first.batch],
    );
  });

  it('drains at most one batch per partition per round (one v2 batch per partition per request)', () => {
    const { acc } = accumulator({ batchSize: 100 });
    for (let i = 0; i < 3; i++) acc.batchFor('t', 0, 90).batch.append(0, null, Buffer.alloc(80), [], noop);
    assert.equal(acc.drainReady(() => true).length, 1);
    assert.equal(acc.drainReady(() => true).length, 1);
    assert.equal(acc.hasBatches(), true);
  });

  it('flush makes every batch ready regardless of linger', () => {
    const { acc } = accumulator();
    const { batch } = acc.batchFor('t', 1, 10);
    batch.append(0, null, null, [], noop);
    acc.beginFlush();
    assert.deepEqual(
      acc.drainReady(() => true),
      [batch],
    );
    acc.endFlush();
  });

  it('keeps batches of partitions the sender cannot reach yet', () => {
    const { acc, advance } = accumulator();
    acc.batchFor('t', 0, 10).batch.append(0, null, null, [], noop);
    acc.batchFor('t', 1, 10).batch.append(0, null, null, [], noop);
    advance(100);
    const ready = acc.drainReady((b) => b.partition === 1);
    assert.deepEqual(
      ready.map((b) => b.partition),
      [1],
    );
    assert.equal(acc.hasBatches(), true);
  });

  it('bounds memory: reserve waits (in order) until bytes are released', async () => {
    const { acc } = accumulator();
    assert.equal(acc.reserve(200), undefined);
    const order: string[] = [];
    const a = acc.reserve(120)!;
    const b = acc.reserve(50)!;
    assert.ok(a instanceof Promise && b instanceof Promise);
    void a.then(() => order.push('a'));
    void b.then(() => order.push('b'));
    assert.equal(acc.bufferedBytes, 200);
    acc.release(100);
    await a;
    await b;
    assert.deepEqual(order, ['a', 'b']);
    assert.equal(acc.bufferedBytes, 270);
  });

  it('fails a reservation after max.block.ms and rejects records larger than buffer.memory', async () => {
    const { acc } = accumulator({ maxBlockMs: 5 });
    acc.reserve(300);
    await assert.rejects(acc.reserve(1)!, { code: 'BUFFER_EXHAUSTED' });
    assert.throws(() => acc.reserve(301), { code: 'RECORD_TOO_LARGE' });
  });

  it('aborting a waiting reservation rejects it and frees its place in the queue', async () => {
    const { acc } = accumulator();
    acc.reserve(290);
    const ac = new AbortController();
    const waiting = acc.reserve(100, ac.signal)!;
    const behind = acc.reserve(5)!;
    ac.abort();
    await assert.rejects(waiting, { code: 'ABORTED' });
    acc.release(0);
    await behind;
    assert.equal(acc.bufferedBytes, 295);
  });
});
