import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SinkRecord, SourceRecord } from '../../src/connect/api/connect-record.js';
import { DataError } from '../../src/connect/connect-error.js';
import { DecimalValue, Schemas, schemaEquals } from '../../src/connect/data/schema.js';
import { SchemaBuilder } from '../../src/connect/data/schema-builder.js';
import { Struct } from '../../src/connect/data/struct.js';

const PERSON = SchemaBuilder.struct()
  .name('com.example.Person')
  .field('id', Schemas.INT32)
  .field('name', Schemas.OPTIONAL_STRING)
  .field('age', SchemaBuilder.int8().optional().defaultValue(18))
  .build();

describe('Connect data', () => {
  it('a struct checks every value it is given against its field schema', () => {
    const s = new Struct(PERSON).put('id', 7).put('name', 'Ada');
    assert.equal(s.get('id'), 7);
    assert.equal(s.get('age'), 18, 'an unset field reads as its default');
    assert.equal(s.getWithoutDefault('age'), null);
    assert.throws(() => s.put('id', 'seven'), DataError);
    assert.throws(() => s.put('id', 2 ** 31), DataError, 'INT32 is range checked');
    assert.throws(() => s.put('nope', 1), /nope is not a valid field name/);
    assert.throws(() => new Struct(PERSON).validate(), /null used for required field: "id"/);
  });

  it('schemas compare by structure and struct values by content', () => {
    const again = SchemaBuilder.struct()
      .name('com.example.Person')
      .field('id', Schemas.INT32)
      .field('name', Schemas.OPTIONAL_STRING)
      .field('age', SchemaBuilder.int8().optional().defaultValue(18))
      .build();
    assert.ok(schemaEquals(PERSON, again));
    assert.ok(new Struct(PERSON).put('id', 1).equals(new Struct(again).put('id', 1)));
    assert.ok(!new Struct(PERSON).put('id', 1).equals(new Struct(again).put('id', 2)));
  });

  it('builders refuse what Kafka refuses', () => {
    assert.throws(
      () => SchemaBuilder.int32().field('x', Schemas.INT32),
      /Cannot create fields on type INT32/,
    );
    assert.throws(
      () => SchemaBuilder.struct().field('x', Schemas.INT32).field('x', Schemas.INT32),
      /duplication/,
    );
    assert.throws(() => SchemaBuilder.int32().defaultValue('x').build(), DataError);
  });

  it('decimals keep their unscaled value and scale', () => {
    assert.equal(DecimalValue.parse('-12.340').toString(), '-12.340');
    assert.equal(DecimalValue.parse('0.05').unscaled, 5n);
    assert.equal(new DecimalValue(-5n, 3).toString(), '-0.005');
    assert.throws(() => DecimalValue.parse('1e5'), DataError);
  });

  it('newRecord keeps the record kind and what was not changed', () => {
    const source = new SourceRecord({
      topic: 't',
      valueSchema: Schemas.STRING,
      value: 'v',
      sourcePartition: { filename: 'a' },
      sourceOffset: { position: 3 },
    });
    const routed = source.newRecord({ topic: 'u', key: 'k' });
    assert.ok(routed instanceof SourceRecord);
    assert.equal(routed.topic, 'u');
    assert.equal(routed.key, 'k');
    assert.equal(routed.value, 'v');
    assert.deepEqual(routed.sourceOffset, { position: 3 });
    const sink = new SinkRecord({ topic: 't', kafkaPartition: 2, kafkaOffset: 9n, value: 'x' });
    const moved = sink.newRecord({ topic: 'z', value: null });
    assert.equal(moved.value, null);
    assert.equal(moved.originalTopic, 't');
    assert.equal(moved.kafkaOffset, 9n);
  });
});
