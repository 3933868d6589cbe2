import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferPool } from '../../src/client/producer/buffer-pool.js';
import { IdempotentState } from '../../src/client/producer/idempotence.js';
import { ProducerBatch } from '../../src/client/producer/producer-batch.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { CompressionType } from '../../src/protocol/records/record-batch-header.js';

const pool = new BufferPool(1024, 4);

function batch(records: number, partition = 0): ProducerBatch {
  const b = new ProducerBatch('t', partition, 0, CompressionType.None, pool, 1024);
  for (let i = 0; i < records; i++) b.append(0, null, Buffer.from('v'), [], () => {});
  return b;
}

const fields = (b: ProducerBatch) => [b.producerId, b.producerEpoch, b.baseSequence];

function started(): IdempotentState {
  const s = new IdempotentState();
  s.setProducerId(7n, 0);
  return s;
}

describe('idempotent producer state', () => {
  it('sends nothing before it has a producer id, then numbers each partition from 0', () => {
    const s = new IdempotentState();
    const a = batch(3);
    assert.equal(s.prepareSend(a), false);
    s.setProducerId(7n, 0);
    const b = batch(2);
    const other = batch(4, 1);
    assert.ok(s.prepareSend(a) && s.prepareSend(b) && s.prepareSend(other));
    assert.deepEqual(
      [fields(a), fields(b), fields(other)],
      [
        [7n, 0, 0],
        [7n, 0, 3],
        [7n, 0, 0],
      ],
    );
  });

  it('keeps at most 5 batches of a partition unacknowledged', () => {
    const s = started();
    const sent = Array.from({ length: 5 }, () => batch(1));
    for (const b of sent) assert.ok(s.prepareSend(b));
    const sixth = batch(1);
    assert.equal(s.prepareSend(sixth), false);
    s.acknowledged(sent[0]!);
    assert.ok(s.prepareSend(sixth));
    assert.equal(sixth.baseSequence, 5);
  });

  it('resends a failed batch with its sequence, first, and holds new batches meanwhile', () => {
    const s = started();
    const [a, b, c] = [batch(1), batch(1), batch(1)];
    for (const x of [a, b, c]) assert.ok(s.prepareSend(x));
    // a's connection drops; b and c are refused as out of order (a is missing): all retried as they are.
    s.requestFailed(a);
    assert.equal(s.refused(b, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, false), 'retry');
    assert.equal(s.refused(c, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, false), 'retry');
    assert.equal(s.epoch, 0, 'no epoch bump: the batches after the failed one are not a gap');
    assert.equal(s.prepareSend(batch(1)), false, 'a new batch waits for the retries');
    assert.equal(s.prepareSend(b), false, 'b waits for a');
    assert.ok(s.prepareSend(a));
    assert.deepEqual(fields(a), [7n, 0, 0]);
    assert.equal(s.prepareSend(b), false, 'b waits until a is answered');
    s.acknowledged(a);
    assert.ok(s.prepareSend(b));
    s.acknowledged(b);
    assert.ok(s.prepareSend(c));
    s.acknowledged(c);
    const d = batch(1);
    assert.ok(s.prepareSend(d));
    assert.deepEqual(fields(d), [7n, 0, 3]);
  });

  it('bumps the epoch on a real gap and renumbers that partition from 0', () => {
    const s = started();
    const [a, b] = [batch(2), batch(2)];
    const other = batch(1, 1);
    for (const x of [a, b, other]) assert.ok(s.prepareSend(x));
    // The broker lost a (its state says b's sequence does not follow): the next expected batch refused.
    assert.equal(s.refused(a, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, false), 'retry');
    assert.equal(s.epoch, 1);
    assert.equal(s.prepareSend(a), false, 'b of the old epoch is still in a request');
    assert.equal(s.refused(b, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, false), 'retry');
    assert.equal(s.epoch, 1, 'one bump for the partition');
    assert.ok(s.prepareSend(a));
    assert.deepEqual(
      [fields(a), fields(b)],
      [
        [7n, 1, 0],
        [7n, 1, 2],
      ],
    );
    // The other partition finishes its old-epoch batch, then starts the new epoch at 0.
    const next = batch(1, 1);
    assert.equal(s.prepareSend(next), false);
    s.acknowledged(other);
    assert.ok(s.prepareSend(next));
    assert.deepEqual(fields(next), [7n, 1, 0]);
  });

  it('renumbers the rest of a partition when a batch fails for good, and UNKNOWN_PRODUCER_ID bumps too', () => {
    const s = started();
    const [a, b] = [batch(1), batch(1)];
    assert.ok(s.prepareSend(a) && s.prepareSend(b));
    assert.equal(s.refused(a, ErrorCode.MESSAGE_TOO_LARGE, false), 'fail');
    assert.equal(s.epoch, 1);
    s.requestFailed(b);
    assert.ok(s.prepareSend(b));
    assert.deepEqual(fields(b), [7n, 1, 0]);
    assert.equal(s.refused(b, ErrorCode.UNKNOWN_PRODUCER_ID, false), 'retry');
    assert.equal(s.epoch, 2);
    assert.ok(s.prepareSend(b));
    assert.deepEqual(fields(b), [7n, 2, 0]);
  });

  it('asks for a new producer id instead of bumping past epoch 32767', () => {
    const s = new IdempotentState();
    s.setProducerId(7n, 32767);
    const a = batch(1);
    assert.ok(s.prepareSend(a));
    s.refused(a, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, false);
    assert.equal(s.hasProducerId, false);
    assert.equal(s.prepareSend(a), false);
    s.setProducerId(8n, 0);
    assert.ok(s.prepareSend(a));
    assert.deepEqual(fields(a), [8n, 0, 0]);
  });

  it('wraps sequences from 2^31-1 to 0 as DefaultRecordBatch.incrementSequence, and tells a gap across the wrap', () => {
    const s = started();
    const first = batch(1);
    assert.ok(s.prepareSend(first));
    s.acknowledged(first);
    // Two billion records later: move the partition's next sequence to just below the wrap.
    const partitions = (
      s as unknown as { partitions: Map<string, { nextSequence: number; lastAckedSequence: number }> }
    ).partitions;
    const p = [...partitions.values()][0]!;
    p.nextSequence = 0x7fffffff - 1;
    p.lastAckedSequence = 0x7fffffff - 2;
    const across = batch(3); // 2^31-2, 2^31-1, 0
    const after = batch(2); // 1, 2
    const later = batch(1); // 3
    for (const b of [across, after, later]) assert.ok(s.prepareSend(b));
    assert.deepEqual(
      [across, after, later].map((b) => b.baseSequence),
      [0x7fffffff - 1, 1, 3],
    );
    s.acknowledged(across);
    // A later batch refused while an earlier one is outstanding: retried as it is, no bump.
    assert.equal(s.refused(later, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, false), 'retry');
    assert.equal(s.epoch, 0);
    // The batch right after the acknowledged wrap (sequence 1) refused: a real gap, the epoch bumps.
    assert.equal(s.refused(after, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, false), 'retry');
    assert.equal(s.epoch, 1);
  });
});
