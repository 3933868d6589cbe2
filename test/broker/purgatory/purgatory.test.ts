import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Purgatory } from '../../../src/broker/purgatory/purgatory.js';
import { ManualClock } from '../../../src/common/clock.js';

function op(cond: () => boolean, log: string[], name: string) {
  return {
    isSatisfied: cond,
    complete: (expired: boolean) => log.push(`${name}:${expired ? 'expired' : 'done'}`),
  };
}

describe('Purgatory', () => {
  it('completes at once when already satisfied', () => {
    const log: string[] = [];
    const p = new Purgatory(new ManualClock());
    p.tryCompleteElseWatch(
      op(() => true, log, 'a'),
      ['t-0'],
      100,
    );
    assert.deepEqual(log, ['a:done']);
    assert.equal(p.size, 0);
  });

  it('completes a watched operation when its key is checked and the condition holds', () => {
    const log: string[] = [];
    const clock = new ManualClock();
    const p = new Purgatory(clock);
    let hw = 0;
    p.tryCompleteElseWatch(
      op(() => hw >= 5, log, 'a'),
      ['t-0', 't-1'],
      100,
    );
    p.checkAndComplete('t-0');
    assert.deepEqual(log, []);
    hw = 5;
    p.checkAndComplete('t-1');
    clock.advance(200);
    assert.deepEqual(log, ['a:done']);
    assert.equal(p.size, 0);
  });

  it('expires an operation exactly once at its timeout', () => {
    const log: string[] = [];
    const clock = new ManualClock();
    const p = new Purgatory(clock);
    p.tryCompleteElseWatch(
      op(() => false, log, 'a'),
      ['t-0'],
      100,
    );
    clock.advance(99);
    assert.deepEqual(log, []);
    clock.advance(1);
    p.checkAndComplete('t-0');
    assert.deepEqual(log, ['a:expired']);
  });
});
