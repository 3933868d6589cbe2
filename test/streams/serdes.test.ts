import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Serdes } from '../../src/streams/index.js';

describe('Serdes', () => {
  it("Long writes 8 bytes big-endian two's complement, as Kafka's LongSerializer", () => {
    assert.deepEqual(Serdes.Long.serialize('t', 1), Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]));
    assert.deepEqual(
      Serdes.Long.serialize('t', -2),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]),
    );
    assert.deepEqual(Serdes.Long.serialize('t', 2 ** 40 + 5), Buffer.from([0, 0, 1, 0, 0, 0, 0, 5]));
    assert.equal(Serdes.Long.deserialize('t', Buffer.from([0, 0, 1, 0, 0, 0, 0, 5])), 2 ** 40 + 5);
    assert.throws(() => Serdes.Long.deserialize('t', Buffer.alloc(4)), { code: 'SERIALIZATION_FAILED' });
    assert.throws(
      () => Serdes.Long.deserialize('t', Buffer.from([0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])),
      {
        code: 'SERIALIZATION_FAILED',
      },
    );
    assert.throws(() => Serdes.Long.serialize('t', 1.5), { code: 'SERIALIZATION_FAILED' });
  });

  it("Integer, Double, String, ByteArray and JSON match Kafka's byte layouts and keep null as null", () => {
    assert.deepEqual(Serdes.Integer.serialize('t', -1), Buffer.from([0xff, 0xff, 0xff, 0xff]));
    assert.equal(Serdes.Integer.deserialize('t', Buffer.from([0, 0, 1, 0])), 256);
    assert.deepEqual(Serdes.Double.serialize('t', 1), Buffer.from([0x3f, 0xf0, 0, 0, 0, 0, 0, 0]));
    assert.equal(
      Serdes.Double.deserialize('t', Buffer.from([0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18])),
      Math.PI,
    );
    assert.deepEqual(Serdes.String.serialize('t', 'héllo'), Buffer.from('héllo', 'utf8'));
    assert.equal(Serdes.ByteArray.deserialize('t', Buffer.from('x'))?.toString(), 'x');
    const json = Serdes.JSON<{ a: number[] }>();
    assert.deepEqual(json.deserialize('t', json.serialize('t', { a: [1, 2] })), { a: [1, 2] });
    assert.throws(() => json.deserialize('t', Buffer.from('{')), { code: 'SERIALIZATION_FAILED' });
    for (const serde of [Serdes.Long, Serdes.Integer, Serdes.Double, Serdes.String, Serdes.ByteArray, json]) {
      assert.equal(serde.serialize('t', null), null);
      assert.equal(serde.deserialize('t', null), null);
    }
    assert.throws(() => Serdes.String.serialize('t', 5 as unknown as string), {
      code: 'SERIALIZATION_FAILED',
    });
  });
});
