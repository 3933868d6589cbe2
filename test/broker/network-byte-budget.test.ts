import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BudgetClosedError, ByteBudget, type ByteLease } from '../../src/broker/network/byte-budget.js';

function now(l: ByteLease | Promise<ByteLease>): ByteLease {
  assert.ok(!(l instanceof Promise), 'granted at once');
  return l;
}

describe("ByteBudget: a connection's memory for responses", () => {
  it('grants what fits at once and makes the rest wait, in order, until bytes are given back', async () => {
    let released = 0;
    const budget = new ByteBudget(100, () => released++);
    const a = now(budget.acquire(60));
    const order: string[] = [];
    const b = budget.acquire(60);
    const c = budget.acquire(10);
    assert.ok(b instanceof Promise && c instanceof Promise, 'c waits behind b even though it fits');
    assert.equal(budget.exhausted, true);
    void b.then(() => order.push('b'));
    void c.then(() => order.push('c'));
    a.release();
    a.release();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, ['b', 'c']);
    assert.equal(budget.usedBytes, 70);
    assert.equal(released, 1, 'a second release does nothing');
  });

  it('lets one request larger than the whole budget proceed when it is alone', () => {
    const budget = new ByteBudget(100);
    const big = now(budget.acquire(500));
    assert.ok(budget.acquire(1) instanceof Promise);
    big.release();
  });

  it('gives back what a lease shrinks to, and fails waiters when closed', async () => {
    const budget = new ByteBudget(100);
    const a = now(budget.acquire(100));
    const b = budget.acquire(50);
    a.resize(50);
    assert.equal((await b).bytes, 50);
    const c = budget.acquire(10);
    budget.close();
    await assert.rejects(c as Promise<ByteLease>, BudgetClosedError);
    await assert.rejects(budget.acquire(1) as Promise<ByteLease>, BudgetClosedError);
  });
});
