import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataError } from '../../src/connect/connect-error.js';
import { ByteArrayConverter } from '../../src/connect/converters/byte-array-converter.js';
import { JsonConverter } from '../../src/connect/converters/json-converter.js';
import { StringConverter } from '../../src/connect/converters/string-converter.js';
import { DecimalValue, Schemas, valuesEqual } from '../../src/connect/data/schema.js';
import { SchemaBuilder } from '../../src/connect/data/schema-builder.js';
import { Struct } from '../../src/connect/data/struct.js';

function json(configs: Record<string, string> = {}): JsonConverter {
  const c = new JsonConverter();
  c.configure(configs, false);
  return c;
}

describe('JsonConverter', () => {
  it('writes the schemas.enable envelope as Kafka does, byte for byte', () => {
    const c = json();
    assert.equal(
      c.fromConnectData('t', Schemas.STRING, 'foo')!.toString(),
      '{"schema":{"type":"string","optional":false},"payload":"foo"}',
    );
    const schema = SchemaBuilder.struct()
      .name('inventory.customers.Value')
      .field('id', Schemas.INT32)
      .field('email', Schemas.OPTIONAL_STRING)
      .build();
    const value = new Struct(schema).put('id', 1001).put('email', null);
    assert.equal(
      c.fromConnectData('t', schema, value)!.toString(),
      '{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},' +
        '{"type":"string","optional":true,"field":"email"}],"optional":false,"name":"inventory.customers.Value"},' +
        '"payload":{"id":1001,"email":null}}',
    );
    assert.equal(c.fromConnectData('t', null, null), null, 'a null without schema is a null record');
  });

  it('reads the envelope back to the same schema and value', () => {
    const c = json();
    const schema = SchemaBuilder.struct()
      .name('r')
      .version(2)
      .doc('a row')
      .field('n', SchemaBuilder.int64().defaultValue(5))
      .field('tags', SchemaBuilder.array(Schemas.STRING).optional())
      .field('attrs', SchemaBuilder.map(Schemas.STRING, Schemas.FLOAT64).optional())
      .field('ids', SchemaBuilder.map(Schemas.INT32, Schemas.BOOLEAN).optional())
      .field('raw', Schemas.OPTIONAL_BYTES)
      .field('price', SchemaBuilder.decimal(2).optional())
      .field('day', SchemaBuilder.date().optional())
      .field('at', SchemaBuilder.timestamp().optional())
      .build();
    const value = new Struct(schema)
      .put('n', 2n ** 60n)
      .put('tags', ['a', 'b'])
      .put('attrs', new Map([['x', 1.5]]))
      .put('ids', new Map([[3, true]]))
      .put('raw', Buffer.from([0, 255]))
      .put('price', new DecimalValue(-12345n, 2))
      .put('day', new Date(Date.UTC(2024, 1, 29)))
      .put('at', new Date(1700000000123));
    const bytes = c.fromConnectData('t', schema, value)!;
    assert.match(bytes.toString(), /"n":1152921504606846976/, 'an int64 past 2^53 is written exactly');
    assert.match(bytes.toString(), /"price":"z8c="/, "decimals are Kafka's BASE64 of the unscaled value");
    assert.match(bytes.toString(), /"day":19782/);
    const back = c.toConnectData('t', bytes);
    assert.equal(back.schema!.name, 'r');
    assert.equal(back.schema!.field('n')!.schema.defaultValue, 5);
    const s = back.value as Struct;
    assert.ok(valuesEqual(s.get('tags'), ['a', 'b']));
    assert.ok(valuesEqual(s.get('ids'), new Map([[3, true]])));
    assert.ok(valuesEqual(s.get('raw'), Buffer.from([0, 255])));
    assert.equal(String(s.get('price')), '-123.45');
    assert.equal((s.get('at') as Date).getTime(), 1700000000123);
  });

  it('without schemas writes the bare payload and reads schemaless values', () => {
    const c = json({ 'schemas.enable': 'false' });
    assert.equal(c.fromConnectData('t', Schemas.STRING, 'foo')!.toString(), '"foo"');
    const back = c.toConnectData('t', Buffer.from('{"a":1,"b":[true,2.5],"c":null}'));
    assert.equal(back.schema, null);
    assert.ok(
      valuesEqual(
        back.value,
        new Map<string, unknown>([
          ['a', 1],
          ['b', [true, 2.5]],
          ['c', null],
        ]) as never,
      ),
    );
  });

  it('reads integers past 2^53 exactly, also without schemas', () => {
    const back = json({ 'schemas.enable': 'false' }).toConnectData(
      't',
      Buffer.from('{"id":9223372036854775807,"x":[1.5e300]}'),
    );
    assert.equal((back.value as Map<string, unknown>).get('id'), 9223372036854775807n);
    assert.ok(valuesEqual((back.value as Map<string, never>).get('x')!, [1.5e300]));
    assert.throws(
      () => json().toConnectData('t', Buffer.from('{"schema":null,"payload":12345678901234567890')),
      DataError,
    );
  });

  it("refuses plain JSON when schemas are enabled, with Kafka's hint", () => {
    assert.throws(() => json().toConnectData('t', Buffer.from('{"a":1}')), /set schemas.enable=false/);
    assert.throws(() => json().toConnectData('t', Buffer.from('not json')), DataError);
    assert.throws(
      () =>
        json().toConnectData('t', Buffer.from('{"schema":{"type":"int32","optional":false},"payload":null}')),
      /Invalid null value for required INT32 field/,
    );
  });

  it('writes decimals as numbers with decimal.format=NUMERIC', () => {
    const c = json({ 'decimal.format': 'NUMERIC', 'schemas.enable': 'false' });
    assert.equal(
      c.fromConnectData('t', SchemaBuilder.decimal(2).build(), DecimalValue.parse('1.50'))!.toString(),
      '1.5',
    );
    assert.throws(() => json({ 'decimal.format': 'TEXT' }), /String must be one of/);
  });

  it('caches schemas both ways without changing what is written or read', () => {
    const schema = SchemaBuilder.struct()
      .name('db.public.t.Value')
      .field('id', SchemaBuilder.int32().build())
      .field('price', SchemaBuilder.decimal(2).defaultValue(DecimalValue.parse('0.50')).build())
      .build();
    const value = (id: number) => new Struct(schema).put('id', id).put('price', DecimalValue.parse('1.25'));
    const c = json({ 'schemas.cache.size': '1' });
    const first = c.fromConnectData('t', schema, value(1))!;
    const second = c.fromConnectData('t', schema, value(2))!;
    assert.equal(first.toString(), json().fromConnectData('t', schema, value(1))!.toString());
    assert.equal(second.toString().replace('"id":2', '"id":1'), first.toString());
    // Reconfiguring changes how the schema's default is written: the cached text is not reused.
    c.configure({ 'decimal.format': 'NUMERIC' }, false);
    assert.match(c.fromConnectData('t', schema, value(1))!.toString(), /"default":0\.5/);
    // Reading: one Schema per distinct envelope schema, the cache bounded by schemas.cache.size.
    const r = json({ 'schemas.cache.size': '1' });
    const a = r.toConnectData('t', first);
    assert.equal(r.toConnectData('t', second).schema, a.schema);
    const other = json().fromConnectData('t', SchemaBuilder.int64().build(), 7n)!;
    assert.equal(r.toConnectData('t', other).value, 7);
    const again = r.toConnectData('t', first);
    assert.notEqual(again.schema, a.schema);
    assert.ok(valuesEqual(again.value, a.value));
  });
});

describe('StringConverter and ByteArrayConverter', () => {
  it('string: text both ways, read as an optional string', () => {
    const c = new StringConverter();
    c.configure({}, false);
    assert.equal(c.fromConnectData('t', null, 42)!.toString(), '42');
    const back = c.toConnectData('t', Buffer.from('héllo'));
    assert.equal(back.value, 'héllo');
    assert.equal(back.schema, Schemas.OPTIONAL_STRING);
    assert.equal(c.toConnectData('t', null).value, null);
  });

  it('byte array: bytes pass through; other schemas are refused', () => {
    const c = new ByteArrayConverter();
    const b = Buffer.from([1, 2, 3]);
    assert.equal(c.fromConnectData('t', Schemas.BYTES, b), b);
    assert.equal(c.toConnectData('t', b).value, b);
    assert.throws(() => c.fromConnectData('t', Schemas.STRING, 'x'), DataError);
  });
});
