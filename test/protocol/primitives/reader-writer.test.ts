import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../../src/protocol/primitives/protocol-error.js';
import { Reader } from '../../../src/protocol/primitives/reader.js';
import { Writer } from '../../../src/protocol/primitives/writer.js';

function roundTrip(write: (w: Writer) => void, read: (r: Reader) => unknown): unknown {
  const w = new Writer(4);
  write(w);
  const r = new Reader(w.toBuffer());
  const v = read(r);
  assert.equal(r.remaining(), 0);
  return v;
}

describe('Reader and Writer', () => {
  it('round-trips fixed-width integers at their limits', () => {
    for (const v of [-128, 0, 127])
      assert.equal(
        roundTrip(
          (w) => w.writeInt8(v),
          (r) => r.readInt8(),
        ),
        v,
      );
    for (const v of [-32768, 0, 32767])
      assert.equal(
        roundTrip(
          (w) => w.writeInt16(v),
          (r) => r.readInt16(),
        ),
        v,
      );
    for (const v of [-(2 ** 31), 0, 2 ** 31 - 1])
      assert.equal(
        roundTrip(
          (w) => w.writeInt32(v),
          (r) => r.readInt32(),
        ),
        v,
      );
    for (const v of [-(2n ** 63n), 0n, 2n ** 63n - 1n])
      assert.equal(
        roundTrip(
          (w) => w.writeInt64(v),
          (r) => r.readInt64(),
        ),
        v,
      );
    assert.equal(
      roundTrip(
        (w) => w.writeUInt32(2 ** 32 - 1),
        (r) => r.readUInt32(),
      ),
      2 ** 32 - 1,
    );
    assert.equal(
      roundTrip(
        (w) => w.writeFloat64(1.5),
        (r) => r.readFloat64(),
      ),
      1.5,
    );
  });

  it('encodes varints as Kafka does (zig-zag, LEB128)', () => {
    assert.deepEqual([...new Writer().writeVarint(-1).toBuffer()], [0x01]);
    assert.deepEqual([...new Writer().writeVarint(300).toBuffer()], [0xd8, 0x04]);
    assert.deepEqual(
      [...new Writer().writeUnsignedVarint(2 ** 32 - 1).toBuffer()],
      [0xff, 0xff, 0xff, 0xff, 0x0f],
    );
    for (const v of [0, 1, -1, 63, -64, 2 ** 31 - 1, -(2 ** 31)])
      assert.equal(
        roundTrip(
          (w) => w.writeVarint(v),
          (r) => r.readVarint(),
        ),
        v,
      );
    for (const v of [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n)])
      assert.equal(
        roundTrip(
          (w) => w.writeVarlong(v),
          (r) => r.readVarlong(),
        ),
        v,
      );
    for (const v of [0, 2 ** 40, -(2 ** 40), Number.MAX_SAFE_INTEGER])
      assert.equal(
        roundTrip(
          (w) => w.writeVarlongNumber(v),
          (r) => r.readVarlongNumber(),
        ),
        v,
      );
  });

  it('rejects varints longer than their width', () => {
    const r = new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f]));
    assert.throws(
      () => r.readUnsignedVarint(),
      (e: unknown) => e instanceof ProtocolError && e.code === 'VARINT_OVERFLOW',
    );
  });

  it('round-trips strings, bytes and uuids in classic and compact forms', () => {
    assert.equal(
      roundTrip(
        (w) => w.writeString('héllo'),
        (r) => r.readString(),
      ),
      'héllo',
    );
    assert.equal(
      roundTrip(
        (w) => w.writeNullableString(null),
        (r) => r.readNullableString(),
      ),
      null,
    );
    assert.equal(
      roundTrip(
        (w) => w.writeCompactString(''),
        (r) => r.readCompactString(),
      ),
      '',
    );
    assert.equal(
      roundTrip(
        (w) => w.writeCompactNullableString(null),
        (r) => r.readCompactNullableString(),
      ),
      null,
    );
    const big = Buffer.alloc(10_000, 3);
    assert.deepEqual(
      roundTrip(
        (w) => w.writeBytes(big),
        (r) => r.readBytes(),
      ),
      big,
    );
    assert.deepEqual(
      roundTrip(
        (w) => w.writeCompactBytes(Buffer.from([1])),
        (r) => r.readCompactBytes(),
      ),
      Buffer.from([1]),
    );
    const id = Buffer.alloc(16, 0xab).toString('base64url');
    assert.equal(
      roundTrip(
        (w) => w.writeUuid(id),
        (r) => r.readUuid(),
      ),
      id,
    );
  });

  it('references large byte fields instead of copying them', () => {
    const big = Buffer.alloc(8192, 1);
    const chunks = new Writer().writeInt32(1).writeRaw(big).writeInt32(2).toBuffers();
    assert.equal(chunks.length, 3);
    assert.equal(chunks[1], big);
  });

  it('patches a reserved length after the body is written', () => {
    const w = new Writer(8);
    const at = w.reserveInt32();
    w.writeRaw(Buffer.alloc(5000));
    w.writeInt8(1);
    w.patchInt32(at, w.length - 4);
    assert.equal(w.toBuffer().readInt32BE(0), 5001);
  });

  it('reports truncation, bad lengths and invalid UTF-8 with the byte position', () => {
    const cases: [Buffer, (r: Reader) => unknown, string][] = [
      [Buffer.from([0, 5, 0x61]), (r) => r.readString(), 'LENGTH_TOO_LARGE'],
      [Buffer.from([0xff, 0xfe]), (r) => r.readNullableString(), 'NEGATIVE_LENGTH'],
      [Buffer.from([0xff, 0xff]), (r) => r.readString(), 'NULL_NOT_ALLOWED'],
      [Buffer.from([0, 2, 0xc3, 0x28]), (r) => r.readString(), 'INVALID_UTF8'],
      [Buffer.from([0x7f, 0xff, 0xff, 0xff]), (r) => r.readBytes(), 'LENGTH_TOO_LARGE'],
      [Buffer.from([0x7f, 0xff, 0xff, 0xff]), (r) => r.readArrayLength(1), 'LENGTH_TOO_LARGE'],
      [Buffer.from([0, 0]), (r) => r.readInt32(), 'TRUNCATED'],
    ];
    for (const [bytes, read, code] of cases) {
      assert.throws(
        () => read(new Reader(bytes)),
        (e: unknown) => e instanceof ProtocolError && e.code === code && e.position === 0,
        code,
      );
    }
  });
});
