import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDecoder, InvalidFrameSizeError } from '../../src/broker/network/frame-decoder.js';

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

describe('FrameDecoder', () => {
  it('returns whole frames however the stream is chunked', () => {
    const bodies = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(5000, 7), Buffer.from('xyz')];
    const stream = Buffer.concat(bodies.map(frame));
    for (const chunkSize of [1, 2, 3, 5, 7, 4096, stream.length]) {
      const d = new FrameDecoder(1 << 20);
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += chunkSize)
        out.push(...d.push(stream.subarray(i, i + chunkSize)));
      assert.deepEqual(out, bodies, `chunk size ${chunkSize}`);
      assert.equal(d.bufferedBytes, 0);
    }
  });

  it('rejects an oversized or negative size as soon as the prefix arrives', () => {
    const d = new FrameDecoder(100);
    assert.throws(
      () => d.push(Buffer.from([0x7f, 0xff])) && d.push(Buffer.from([0xff, 0xff])),
      InvalidFrameSizeError,
    );
    assert.throws(
      () => new FrameDecoder(100).push(Buffer.from([0xff, 0xff, 0xff, 0xff])),
      InvalidFrameSizeError,
    );
    assert.throws(() => new FrameDecoder(100).push(Buffer.from([0, 0, 0, 101, 1])), InvalidFrameSizeError);
  });
});
