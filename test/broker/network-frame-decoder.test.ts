import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDecoder, InvalidFrameSizeError } from '../../src/broker/network/frame-decoder.js';
import { Prng } from '../helpers/prng.js';

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

  it('returns whole frames for random frame sizes and random chunk boundaries', () => {
    const rand = new Prng(0x5eed);
    const bodies = Array.from({ length: 300 }, (_, i) => Buffer.alloc(rand.int(3000), i % 251));
    const stream = Buffer.concat(bodies.map(frame));
    for (let round = 0; round < 20; round++) {
      const d = new FrameDecoder(1 << 20);
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; ) {
        const n = 1 + rand.int(5000);
        out.push(...d.push(stream.subarray(i, i + n)));
        i += n;
      }
      assert.deepEqual(out, bodies);
      assert.equal(d.bufferedBytes, 0);
    }
  });

  it('completes a frame spanning chunks with only the bytes it lacks; later frames stay views', () => {
    const a = Buffer.alloc(3000, 1);
    const b = Buffer.alloc(2000, 2);
    const stream = Buffer.concat([frame(a), frame(b)]);
    const second = Buffer.from(stream.subarray(2000));
    const d = new FrameDecoder(1 << 20);
    assert.deepEqual(d.push(Buffer.from(stream.subarray(0, 2000))), []);
    const out = d.push(second);
    assert.deepEqual(out, [a, b]);
    assert.equal(out[1]!.buffer, second.buffer, 'the frame wholly inside the chunk is a view of it');
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
