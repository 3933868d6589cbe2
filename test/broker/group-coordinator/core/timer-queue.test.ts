import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimerQueue } from '../../../../src/broker/group-coordinator/core/timer-queue.js';
import {
  decodeAssignment,
  encodeAssignment,
  encodeSubscription,
  subscribedTopicsOf,
} from '../../../helpers/consumer-protocol-v0.js';

describe('TimerQueue', () => {
  it('fires due timers in deadline order, ties in scheduling order, including ones scheduled while firing', () => {
    const q = new TimerQueue();
    const fired: string[] = [];
    q.schedule('b', 20, () => fired.push('b'));
    q.schedule('a', 10, () => {
      fired.push('a');
      q.schedule('c', 15, () => fired.push('c'));
    });
    q.schedule('d', 20, () => fired.push('d'));
    q.schedule('late', 31, () => fired.push('late'));
    const deadlines: number[] = [];
    q.runDue(30, (d) => deadlines.push(d));
    assert.deepEqual(fired, ['a', 'c', 'b', 'd']);
    assert.deepEqual(deadlines, [10, 15, 20, 20]);
    assert.equal(q.nextDeadlineMs(), 31);
  });

  it('replaces a timer with the same key and cancels by key or prefix', () => {
    const q = new TimerQueue();
    const fired: string[] = [];
    q.schedule('g\u0000hb\u0000m', 10, () => fired.push('old'));
    q.schedule('g\u0000hb\u0000m', 50, () => fired.push('new'));
    q.schedule('g\u0000join', 5, () => fired.push('join'));
    q.schedule('h\u0000join', 5, () => fired.push('other group'));
    q.cancelPrefix('g\u0000');
    q.runDue(100);
    assert.deepEqual(fired, ['other group']);
    assert.equal(q.size, 0);
    assert.equal(q.nextDeadlineMs(), null);
  });

  it('stays correct when many cancelled entries are compacted away', () => {
    const q = new TimerQueue();
    const fired: number[] = [];
    for (let i = 0; i < 1000; i++) q.schedule(`k${i}`, 1000 - i, () => fired.push(i));
    for (let i = 0; i < 1000; i++) if (i % 10 !== 0) q.cancel(`k${i}`);
    q.runDue(2000);
    assert.deepEqual(
      fired,
      Array.from({ length: 100 }, (_, j) => 990 - 10 * j),
    );
  });
});

describe('consumer protocol', () => {
  it('reads the topics of a subscription and round-trips assignments', () => {
    assert.deepEqual(subscribedTopicsOf(encodeSubscription(['a', 'b'])), ['a', 'b']);
    assert.equal(subscribedTopicsOf(Buffer.from([0, 1, 0])), null);
    const a = [{ topic: 't', partitions: [0, 3] }];
    assert.deepEqual(decodeAssignment(encodeAssignment(a)), a);
    assert.deepEqual(decodeAssignment(Buffer.alloc(0)), []);
  });
});
