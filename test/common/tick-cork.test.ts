import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { TickCork } from '../../src/common/tick-cork.js';

/** A stream that records how its writes arrive: one entry per writev (or single write). */
function recorder(): { stream: Writable; calls: string[][] } {
  const calls: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      calls.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      calls.push(chunks.map((c) => (c.chunk as Buffer).toString()));
      done();
    },
  });
  return { stream, calls };
}

describe('TickCork', () => {
  it('sends the writes of one tick in one writev, and those of the next tick in another', async () => {
    const { stream, calls } = recorder();
    const cork = new TickCork(stream);
    for (const s of ['a', 'b', 'c']) {
      cork.hold();
      stream.write(s);
    }
    await new Promise((r) => setImmediate(r));
    cork.hold();
    stream.write('d');
    cork.hold();
    stream.write('e');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls, [
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
  });
});
