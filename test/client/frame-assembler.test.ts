import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameAssembler } from '../../src/client/network/frame-assembler.js';

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

function body(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/**
 * Plays the kernel's part of `onread`: each read copies at most `readSizes[i]` bytes of `stream`
 * into the buffer the assembler offers, then hands it back.
 */
function readAll(a: FrameAssembler, stream: Buffer, readSizes: number[]): Buffer[] {
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

describe('frame assembler', () => {
  it('joins a frame split across chunks, including a split size prefix', () => {
    const a = new FrameAssembler(1 << 20);
    const stream = frame(body(10, 1));
    const got: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) got.push(...a.push(stream.subarray(i, i + 1)));
    assert.deepEqual(got, [body(10, 1)]);
  });

  it('returns every frame of a chunk that holds many, empty frames included', () => {
    const a = new FrameAssembler(1 << 20);
    const bodies = [body(5, 1), body(0, 0), body(300, 2), body(4, 3)];
    const got = a.push(Buffer.concat(bodies.map(frame)));
    assert.deepEqual(got, bodies);
  });

  it('keeps the partial frame at the end of a chunk for the next one', () => {
    const a = new FrameAssembler(1 << 20);
    const stream = Buffer.concat([frame(body(7, 1)), frame(body(9, 2))]);
    assert.deepEqual(a.push(stream.subarray(0, 13)), [body(7, 1)]);
    assert.deepEqual(a.push(stream.subarray(13, 14)), []);
    assert.deepEqual(a.push(stream.subarray(14)), [body(9, 2)]);
  });

  it('reads a frame larger than its shared buffer straight into the frame', () => {
    const a = new FrameAssembler(1 << 22, 1024);
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
    const a = new FrameAssembler(1 << 20, 256);
    const bodies = Array.from({ length: 50 }, (_, i) => body(i * 37, i));
    const stream = Buffer.concat(bodies.map(frame));
    for (const sizes of [[1], [3, 250], [4096], [7, 1, 20_000]]) {
      const got = readAll(new FrameAssembler(1 << 20, 256), stream, sizes);
      assert.deepEqual(got, bodies, `reads of ${sizes.join(',')}`);
    }
    assert.deepEqual(readAll(a, stream, [100]), bodies);
  });

  it('rejects a frame over the limit and a negative size', () => {
    assert.throws(() => new FrameAssembler(100).push(frame(body(101, 0))), RangeError);
    assert.throws(() => new FrameAssembler(100).push(Buffer.from([0xff, 0xff, 0xff, 0xff])), RangeError);
  });
});
