import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SinkRecord, SourceRecord } from '../../src/connect/api/connect-record.js';
import { validateConnectorConfig } from '../../src/connect/config/config-infos.js';
import { Schemas, valuesEqual } from '../../src/connect/data/schema.js';
import { SchemaBuilder } from '../../src/connect/data/schema-builder.js';
import { Struct } from '../../src/connect/data/struct.js';
import { builtinPlugins } from '../../src/connect/plugins/builtin-plugins.js';
import { transformChain } from '../../src/connect/transforms/transform-chain.js';

const T = 'org.apache.kafka.connect.transforms.';
const P = 'org.apache.kafka.connect.transforms.predicates.';
const plugins = builtinPlugins();

const VALUE_SCHEMA = SchemaBuilder.struct()
  .name('order')
  .field('id', Schemas.INT32)
  .field('email', Schemas.OPTIONAL_STRING)
  .field('amount', Schemas.FLOAT64)
  .build();

function sinkRecord(
  topic = 'orders',
  value: Struct | null = new Struct(VALUE_SCHEMA).put('id', 7).put('email', 'a@b.c').put('amount', 9.5),
) {
  return new SinkRecord({
    topic,
    kafkaPartition: 2,
    kafkaOffset: 41n,
    timestamp: Date.UTC(2024, 2, 5, 13, 4, 5),
    valueSchema: value === null ? null : VALUE_SCHEMA,
    value,
    headers: [{ key: 'trace', schema: Schemas.STRING, value: 'x' }],
  });
}

const chain = (props: Record<string, string>) => transformChain(plugins, props);

describe('single message transforms (Kafka class names and keys)', () => {
  it('InsertField$Value adds topic, partition, offset, timestamp and a static field to a struct', () => {
    const out = chain({
      transforms: 'insert',
      'transforms.insert.type': `${T}InsertField$Value`,
      'transforms.insert.topic.field': 'src_topic!',
      'transforms.insert.partition.field': 'src_partition',
      'transforms.insert.offset.field': 'src_offset',
      'transforms.insert.timestamp.field': 'ts',
      'transforms.insert.static.field': 'origin',
      'transforms.insert.static.value': 'eu-1',
    })(sinkRecord())!;
    const v = out.value as Struct;
    assert.equal(v.get('src_topic'), 'orders');
    assert.equal(
      out.valueSchema!.field('src_topic')!.schema.optional,
      false,
      'a ! suffix makes the field required',
    );
    assert.equal(v.get('src_partition'), 2);
    assert.equal(v.get('src_offset'), 41n);
    assert.equal((v.get('ts') as Date).toISOString(), '2024-03-05T13:04:05.000Z');
    assert.equal(v.get('origin'), 'eu-1');
    assert.equal(v.get('id'), 7);
    assert.equal(
      chain({
        transforms: 'i',
        'transforms.i.type': `${T}InsertField$Value`,
        'transforms.i.topic.field': 't',
      })(sinkRecord('x', null))!.value,
      null,
      'tombstones pass',
    );
  });

  it('InsertField$Key on a schemaless map', () => {
    const record = new SourceRecord({ topic: 't', key: new Map([['k', 1]]) });
    const out = chain({
      transforms: 'i',
      'transforms.i.type': `${T}InsertField$Key`,
      'transforms.i.topic.field': 'topic',
    })(record)!;
    assert.ok(
      valuesEqual(
        out.key,
        new Map<never, never>([
          ['k', 1],
          ['topic', 't'],
        ] as never),
      ),
    );
  });

  it('ReplaceField$Value excludes, includes and renames', () => {
    const out = chain({
      transforms: 'r',
      'transforms.r.type': `${T}ReplaceField$Value`,
      'transforms.r.exclude': 'email',
      'transforms.r.renames': 'id:order_id,amount:total',
    })(sinkRecord())!;
    assert.deepEqual(
      out.valueSchema!.fields.map((f) => f.name),
      ['order_id', 'total'],
    );
    assert.equal((out.value as Struct).get('order_id'), 7);
    const only = chain({
      transforms: 'r',
      'transforms.r.type': `${T}ReplaceField$Value`,
      'transforms.r.include': 'amount',
    })(sinkRecord())!;
    assert.deepEqual(
      only.valueSchema!.fields.map((f) => f.name),
      ['amount'],
    );
  });

  it('MaskField$Value empties fields, or writes the replacement', () => {
    const out = chain({
      transforms: 'm',
      'transforms.m.type': `${T}MaskField$Value`,
      'transforms.m.fields': 'email,amount',
    })(sinkRecord())!;
    assert.equal((out.value as Struct).get('email'), '');
    assert.equal((out.value as Struct).get('amount'), 0);
    const replaced = chain({
      transforms: 'm',
      'transforms.m.type': `${T}MaskField$Value`,
      'transforms.m.fields': 'email',
      'transforms.m.replacement': '***',
    })(sinkRecord())!;
    assert.equal((replaced.value as Struct).get('email'), '***');
  });

  it('ValueToKey then ExtractField$Key: the key becomes the id', () => {
    const out = chain({
      transforms: 'copy,extract',
      'transforms.copy.type': `${T}ValueToKey`,
      'transforms.copy.fields': 'id',
      'transforms.extract.type': `${T}ExtractField$Key`,
      'transforms.extract.field': 'id',
    })(sinkRecord())!;
    assert.equal(out.key, 7);
    assert.equal(out.keySchema, Schemas.INT32);
  });

  it('TimestampRouter and RegexRouter rename the topic', () => {
    const ts = chain({ transforms: 'ts', 'transforms.ts.type': `${T}TimestampRouter` })(sinkRecord())!;
    assert.equal(ts.topic, 'orders-20240305');
    const custom = chain({
      transforms: 'ts',
      'transforms.ts.type': 'org.apache.kafka.connect.transforms.TimestampRouter',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Kafka's placeholders, not a template
      'transforms.ts.topic.format': 'archive.${topic}.${timestamp}',
      'transforms.ts.timestamp.format': "yyyy-MM-dd'T'HH",
    })(sinkRecord())!;
    assert.equal(custom.topic, 'archive.orders.2024-03-05T13');
    const routed = chain({
      transforms: 'route',
      'transforms.route.type': `${T}RegexRouter`,
      'transforms.route.regex': '(.*)ers',
      'transforms.route.replacement': 'all-$1',
    })(sinkRecord())!;
    assert.equal(routed.topic, 'all-ord');
    const untouched = chain({
      transforms: 'r',
      'transforms.r.type': `${T}RegexRouter`,
      'transforms.r.regex': 'ord',
      'transforms.r.replacement': 'x',
    })(sinkRecord())!;
    assert.equal(untouched.topic, 'orders', 'the regex must match the whole topic');
  });

  it('Filter with TopicNameMatches, HasHeaderKey and RecordIsTombstone, and negate', () => {
    const filter = (predicate: string, extra: Record<string, string>, negate = false) =>
      chain({
        transforms: 'f',
        'transforms.f.type': `${T}Filter`,
        'transforms.f.predicate': 'p',
        ...(negate ? { 'transforms.f.negate': 'true' } : {}),
        predicates: 'p',
        'predicates.p.type': `${P}${predicate}`,
        ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`predicates.p.${k}`, v])),
      });
    assert.equal(filter('TopicNameMatches', { pattern: 'ord.*' })(sinkRecord()), null);
    assert.notEqual(filter('TopicNameMatches', { pattern: 'ord' })(sinkRecord()), null);
    assert.notEqual(filter('TopicNameMatches', { pattern: 'ord.*' }, true)(sinkRecord()), null);
    assert.equal(filter('HasHeaderKey', { name: 'trace' })(sinkRecord()), null);
    assert.notEqual(filter('HasHeaderKey', { name: 'other' })(sinkRecord()), null);
    assert.equal(filter('RecordIsTombstone', {})(sinkRecord('t', null)), null);
    assert.notEqual(filter('RecordIsTombstone', {})(sinkRecord()), null);
    assert.equal(
      filter('RecordIsTombstone', {}, true)(sinkRecord()),
      null,
      'negate: drop all but tombstones',
    );
  });

  it('validation covers each transform and predicate alias and its own keys', async () => {
    const infos = await validateConnectorConfig(plugins, {
      name: 'c',
      'connector.class': 'FileStreamSink',
      topics: 't',
      transforms: 'a,b,c',
      'transforms.a.type': `${T}MaskField$Value`,
      'transforms.b.type': 'com.example.Nope',
      'transforms.c.type': `${T}Filter`,
      'transforms.c.predicate': 'missing',
    });
    const errors = Object.fromEntries(
      infos.configs
        .filter((c) => c.value.errors.length > 0)
        .map((c) => [c.definition.name, c.value.errors[0]]),
    );
    assert.deepEqual(errors, {
      'transforms.a.fields':
        'Missing required configuration "transforms.a.fields" which has no default value.',
      'transforms.b.type':
        'Invalid value com.example.Nope for configuration transforms.b.type: Class com.example.Nope could not be found.',
      'transforms.c.predicate':
        'Invalid value missing for configuration transforms.c.predicate: The predicate missing is not defined in predicates',
    });
    assert.ok(infos.groups.includes('Transforms: a'));
  });
});
