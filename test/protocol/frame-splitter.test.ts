import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameSplitter, InvalidFrameSizeError } from '../../src/protocol/frame-splitter.js';
import { Prng } from '../helpers/prng.js';

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

describe('FrameSplitter.push (views of the chunks)', () => {
  it('returns whole frames however the stream is chunked', () => {
    const bodies = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(5000, 7), Buffer.from('xyz')];
    const stream = Buffer.concat(bodies.map(frame));
    for (const chunkSize of [1, 2, 3, 5, 7, 4096, stream.length]) {
      const d = new FrameSplitter(1 << 20);
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
      const d = new FrameSplitter(1 << 20);
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
    const d = new FrameSplitter(1 << 20);
    assert.deepEqual(d.push(Buffer.from(stream.subarray(0, 2000))), []);
    const out = d.push(second);
    assert.deepEqual(out, [a, b]);
    assert.equal(out[1]!.buffer, second.buffer, 'the frame wholly inside the chunk is a view of it');
  });

  it('tells the size of the frame being assembled and the bytes it holds, prefix included', () => {
    const d = new FrameSplitter(1 << 20);
    const stream = frame(Buffer.alloc(10, 3));
    assert.deepEqual(d.push(stream.subarray(0, 2)), []);
    assert.deepEqual([d.expectedFrameBytes, d.bufferedBytes], [-1, 2]);
    assert.deepEqual(d.push(stream.subarray(2, 7)), []);
    assert.deepEqual([d.expectedFrameBytes, d.bufferedBytes], [10, 7]);
    assert.deepEqual(d.push(stream.subarray(7)), [Buffer.alloc(10, 3)]);
    assert.deepEqual([d.expectedFrameBytes, d.bufferedBytes], [-1, 0]);
  });

  it('rejects an oversized or negative size as soon as the prefix arrives', () => {
    const d = new FrameSplitter(100);
    assert.throws(
      () => d.push(Buffer.from([0x7f, 0xff])) && d.push(Buffer.from([0xff, 0xff])),
      InvalidFrameSizeError,
    );
    assert.throws(
      () => new FrameSplitter(100).push(Buffer.from([0xff, 0xff, 0xff, 0xff])),
      InvalidFrameSizeError,
    );
    assert.throws(() => new FrameSplitter(100).push(Buffer.from([0, 0, 0, 101, 1])), InvalidFrameSizeError);
  });
});

function body(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/**
 * Plays the kernel's part of `onread`: each read copies at most `readSizes[i]` bytes of `stream`
 * into the buffer the assembler offers, then hands it back.
 */
function readAll(a: FrameSplitter, stream: Buffer, readSizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  let i = 0;
  while (at < stream.length) {
    const target = a.nextBuffer();
    const n = Math.min(target.length, stream.length - at, readSizes[i++ % readSizes.length]!);
    stream.copy(target, 0, at, at + n);
    at += n;
    out.push(...a.read(n, target));
  }
  return out;
}

describe('FrameSplitter (frames in buffers of their own)', () => {
  it('joins a frame split across chunks, including a split size prefix', () => {
    const a = new FrameSplitter(1 << 20);
    const stream = frame(body(10, 1));
    const got: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) got.push(...a.push(stream.subarray(i, i + 1)));
    assert.deepEqual(got, [body(10, 1)]);
  });

  it('returns every frame of a chunk that holds many, empty frames included', () => {
    const a = new FrameSplitter(1 << 20);
    const bodies = [body(5, 1), body(0, 0), body(300, 2), body(4, 3)];
    const got = a.push(Buffer.concat(bodies.map(frame)));
    assert.deepEqual(got, bodies);
  });

  it('keeps the partial frame at the end of a chunk for the next one', () => {
    const a = new FrameSplitter(1 << 20);
    const stream = Buffer.concat([frame(body(7, 1)), frame(body(9, 2))]);
    assert.deepEqual(a.push(stream.subarray(0, 13)), [body(7, 1)]);
    assert.deepEqual(a.push(stream.subarray(13, 14)), []);
    assert.deepEqual(a.push(stream.subarray(14)), [body(9, 2)]);
  });

  it('reads a frame larger than its shared buffer straight into the frame', () => {
    const a = new FrameSplitter(1 << 22, { scratchBytes: 1024 });
    const big = body(300_000, 7);
    const stream = Buffer.concat([frame(body(3, 1)), frame(big), frame(body(2, 9))]);
    const direct: boolean[] = [];
    const got: Buffer[] = [];
    let at = 0;
    while (at < stream.length) {
      const target = a.nextBuffer();
      direct.push(target.length > 1024);
      const n = Math.min(target.length, stream.length - at, 50_000);
      stream.copy(target, 0, at, at + n);
      at += n;
      got.push(...a.read(n, target));
    }
    assert.deepEqual(got, [body(3, 1), big, body(2, 9)]);
    assert.ok(direct.includes(true), 'some reads went straight into the large frame');
  });

  it('hands out frames that later reads do not overwrite', () => {
    const a = new FrameSplitter(1 << 20, { scratchBytes: 256 });
    const bodies = Array.from({ length: 50 }, (_, i) => body(i * 37, i));
    const stream = Buffer.concat(bodies.map(frame));
    for (const sizes of [[1], [3, 250], [4096], [7, 1, 20_000]]) {
      const got = readAll(new FrameSplitter(1 << 20, { scratchBytes: 256 }), stream, sizes);
      assert.deepEqual(got, bodies, `reads of ${sizes.join(',')}`);
    }
    assert.deepEqual(readAll(a, stream, [100]), bodies);
  });

  it('rejects a frame over the limit and a negative size', () => {
    assert.throws(() => new FrameSplitter(100).push(frame(body(101, 0))), InvalidFrameSizeError);
    assert.throws(
      () => new FrameSplitter(100).push(Buffer.from([0xff, 0xff, 0xff, 0xff])),
      InvalidFrameSizeError,
    );
    const a = new FrameSplitter(100);
    const target = a.nextBuffer();
    frame(body(101, 0)).copy(target);
    assert.throws(() => a.read(105, target), InvalidFrameSizeError);
  });
});
