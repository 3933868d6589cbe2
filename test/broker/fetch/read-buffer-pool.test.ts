import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadBufferPool } from '../../../src/broker/fetch/read-buffer-pool.js';

describe('ReadBufferPool', () => {
  it('hands out power-of-two buffers within its size range, null outside it', () => {
    const pool = new ReadBufferPool(1 << 20, 1024, 64 * 1024);
    assert.equal(pool.acquire(1000), null);
    assert.equal(pool.acquire(64 * 1024 + 1), null);
    assert.equal(pool.acquire(1024)?.length, 1024);
    assert.equal(pool.acquire(1500)?.length, 2048);
    assert.equal(pool.acquire(64 * 1024)?.length, 64 * 1024);
  });

  it('reuses a released buffer for the same size class', () => {
    const pool = new ReadBufferPool(1 << 20, 1024, 1 << 20);
    const a = pool.acquire(3000)!;
    pool.release(a);
    assert.equal(pool.idleBytes, 4096);
    assert.equal(pool.acquire(4000), a);
    assert.equal(pool.idleBytes, 0);
    assert.notEqual(pool.acquire(4000), a, 'a lent buffer is not lent again');
  });

  it('ignores a second release, so a buffer is never lent to two readers', () => {
    const pool = new ReadBufferPool(1 << 20, 1024, 1 << 20);
    const a = pool.acquire(2048)!;
    pool.release(a);
    pool.release(a);
    const first = pool.acquire(2048);
    const second = pool.acquire(2048);
    assert.equal(first, a);
    assert.notEqual(second, a);
  });

  it('keeps at most its bound of idle bytes', () => {
    const pool = new ReadBufferPool(8192, 1024, 1 << 20);
    const lent = [pool.acquire(4096)!, pool.acquire(4096)!, pool.acquire(4096)!];
    for (const b of lent) pool.release(b);
    assert.equal(pool.idleBytes, 8192);
  });
});
