import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ProducerAppendPlan,
  type ProducerBatch,
  planProducerAppend,
} from '../../../src/storage/producer-state/producer-append.js';
import {
  incrementSequence,
  type ProducerStateEntry,
} from '../../../src/storage/producer-state/producer-state-entry.js';
import { StorageError } from '../../../src/storage/storage-error.js';

/** A producer state driven as the log drives it: plan, then apply what was appended. */
class Model {
  readonly producers = new Map<bigint, ProducerStateEntry>();
  nextOffset = 0;

  append(pid: bigint, epoch: number, firstSeq: number, count: number, ts = 1000): ProducerAppendPlan {
    const b: ProducerBatch = {
      producerId: pid,
      producerEpoch: epoch,
      firstSeq,
      lastSeq: incrementSequence(firstSeq, count - 1),
      firstOffset: this.nextOffset,
      lastOffset: this.nextOffset + count - 1,
      maxTimestamp: ts,
      isTransactional: false,
      isControl: false,
      marker: null,
    };
    const plan = planProducerAppend(this.producers, [b], 'client');
    if (plan.kind === 'update') {
      for (const [id, e] of plan.updates) this.producers.set(id, e);
      this.nextOffset += count;
    }
    return plan;
  }
}

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof StorageError) return e.code;
    throw e;
  }
  return 'NONE';
};

describe('producer append checks (Kafka 3.x ProducerAppendInfo)', () => {
  it('answers a retry of any of the last five batches with its original offsets', () => {
    const m = new Model();
    for (let i = 0; i < 6; i++) assert.equal(m.append(7n, 0, i * 2, 2).kind, 'update');
    // Batches 1..5 (sequences 2..11) are retained; batch 0 (sequences 0-1) is not.
    const dup = m.append(7n, 0, 4, 2);
    assert.equal(dup.kind, 'duplicate');
    assert.deepEqual(
      dup.kind === 'duplicate' && [dup.batch.lastOffset - dup.batch.offsetDelta, dup.batch.lastOffset],
      [4, 5],
    );
    assert.equal(m.nextOffset, 12);
    assert.equal(
      code(() => m.append(7n, 0, 0, 2)),
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
    );
    // A different range that overlaps is not a retry.
    assert.equal(
      code(() => m.append(7n, 0, 4, 3)),
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
    );
  });

  it('refuses a gap and an old epoch, and takes a new epoch only from sequence 0', () => {
    const m = new Model();
    m.append(1n, 3, 0, 5);
    assert.equal(
      code(() => m.append(1n, 3, 6, 1)),
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
    );
    assert.equal(
      code(() => m.append(1n, 2, 5, 1)),
      'INVALID_PRODUCER_EPOCH',
    );
    assert.equal(
      code(() => m.append(1n, 4, 5, 1)),
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
    );
    assert.equal(m.append(1n, 4, 0, 1).kind, 'update');
    // The old epoch's batches are forgotten: its retry is now an old epoch.
    assert.equal(
      code(() => m.append(1n, 3, 0, 5)),
      'INVALID_PRODUCER_EPOCH',
    );
    assert.equal(m.append(1n, 4, 1, 1).kind, 'update');
    assert.equal(m.producers.get(1n)!.batches.length, 2);
  });

  it('accepts an unknown producer id at any sequence (KIP-360), and sequences wrap at 2^31-1', () => {
    const m = new Model();
    assert.equal(m.append(9n, 0, 42, 1).kind, 'update');
    assert.equal(m.append(9n, 0, 43, 1).kind, 'update');
    const w = new Model();
    w.append(2n, 0, 0x7fffffff - 1, 3); // sequences 2^31-2, 2^31-1, 0
    assert.equal(w.producers.get(2n)!.lastSeq, 0);
    assert.equal(w.append(2n, 0, 1, 1).kind, 'update');
    const x = new Model();
    x.append(3n, 0, 0x7fffffff, 1);
    assert.equal(x.append(3n, 0, 0, 1).kind, 'update');
  });

  it('refuses a negative sequence from a producer with an id (INVALID_RECORD)', () => {
    assert.equal(
      code(() => new Model().append(5n, 0, -1, 1)),
      'INVALID_RECORD',
    );
  });

  it('does not check replicated batches, and leaves the current state untouched when a check fails', () => {
    const m = new Model();
    m.append(1n, 0, 0, 1);
    const before = m.producers.get(1n)!;
    assert.equal(
      code(() => m.append(1n, 0, 5, 1)),
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
    );
    assert.equal(m.producers.get(1n), before);
    assert.equal(before.batches.length, 1);
    const plan = planProducerAppend(
      m.producers,
      [
        {
          producerId: 1n,
          producerEpoch: 0,
          firstSeq: 5,
          lastSeq: 5,
          firstOffset: 1,
          lastOffset: 1,
          maxTimestamp: 0,
          isTransactional: false,
          isControl: false,
          marker: null,
        },
      ],
      'replication',
    );
    assert.equal(plan.kind, 'update');
  });
});
