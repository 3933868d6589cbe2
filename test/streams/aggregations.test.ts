import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Serdes, StreamsBuilder, TopologyTestDriver } from '../../src/streams/index.js';

const S = Serdes.String;
const L = Serdes.Long;
const kv = (key: unknown, value: unknown) => ({ key, value });

describe('grouping and aggregation into KTables (TopologyTestDriver)', () => {
  it("runs the issue's word count as written: every update of a count goes downstream, the store holds the totals", () => {
    const builder = new StreamsBuilder();
    builder
      .stream('text-lines', { key: S, value: S })
      .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
      .groupBy((_key, word) => word)
      .count({ name: 'word-counts' })
      .toStream()
      .to('word-count-output', { key: S, value: L });
    // No default serdes configured: the repartition topic uses Serdes.String, the default default.
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'word-count' });
    const input = driver.createInputTopic('text-lines', S, S);
    input.pipeInput(null, 'Hello Kafka Streams');
    input.pipeInput(null, 'All streams lead to Kafka');
    const output = driver.createOutputTopic('word-count-output', S, L);
    assert.deepEqual(output.readKeyValuesToList(), [
      kv('hello', 1),
      kv('kafka', 1),
      kv('streams', 1),
      kv('all', 1),
      kv('streams', 2),
      kv('lead', 1),
      kv('to', 1),
      kv('kafka', 2),
    ]);
    const store = driver.getKeyValueStore<string, number>('word-counts')!;
    assert.equal(store.get('kafka'), 2);
    assert.deepEqual(
      store.all().map((e) => e.key),
      ['all', 'hello', 'kafka', 'lead', 'streams', 'to'],
    );
    assert.deepEqual(store.range('k', 'm'), [kv('kafka', 2), kv('lead', 1)]);
    driver.close();
  });

  it('count skips records with a null key or value; aggregate timestamps are the largest seen', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', { key: S, value: S })
      .groupByKey()
      .count({ name: 'c' })
      .toStream()
      .to('out', { key: S, value: L });
    const driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 100);
    input.pipeInput(null, 'x', 110);
    input.pipeInput('a', null, 120);
    input.pipeInput('a', 'y', 50); // out of order: the aggregate keeps timestamp 100
    const out = driver.createOutputTopic('out', S, L).readRecordsToList();
    assert.deepEqual(
      out.map((r) => [r.key, r.value, r.timestamp]),
      [
        ['a', 1, 100],
        ['a', 2, 100],
      ],
    );
    assert.deepEqual(driver.getTimestampedKeyValueStore<string, number>('c')!.get('a'), {
      value: 2,
      timestamp: 100,
    });
    driver.close();
  });

  it('reduce starts from the first value and aggregate from the initializer', () => {
    const builder = new StreamsBuilder();
    const grouped = builder.stream('in', { key: S, value: Serdes.Integer }).groupByKey();
    grouped
      .reduce((agg, v) => agg + v, { name: 'sum' })
      .toStream()
      .to('sums', { key: S, value: Serdes.Integer });
    grouped
      .aggregate(
        () => '',
        (_k, v, agg) => `${agg}${v}`,
        { name: 'concat', value: S },
      )
      .toStream()
      .to('concat', { key: S, value: S });
    const driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, Serdes.Integer);
    input.pipeInput('k', 1);
    input.pipeInput('k', 2);
    input.pipeInput('j', 5);
    assert.deepEqual(driver.createOutputTopic('sums', S, Serdes.Integer).readKeyValuesToList(), [
      kv('k', 1),
      kv('k', 3),
      kv('j', 5),
    ]);
    assert.deepEqual(driver.createOutputTopic('concat', S, S).readKeyValuesToList(), [
      kv('k', '1'),
      kv('k', '12'),
      kv('j', '5'),
    ]);
    driver.close();
  });

  it('groupBy reads through the repartition topic with the default serdes when none are given', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', { key: S, value: S })
      .groupBy((_k, v) => v.length)
      .count()
      .toStream()
      .to('out', { key: Serdes.Integer, value: L });
    const topology = builder.build();
    assert.deepEqual(
      [...topology.model.internalTopics.keys()],
      ['KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition'],
    );
    const driver = new TopologyTestDriver(topology, {
      defaultKeySerde: Serdes.Integer,
      defaultValueSerde: S,
    });
    const input = driver.createInputTopic('in', S, S);
    for (const v of ['a', 'bb', 'c']) input.pipeInput('k', v);
    assert.deepEqual(driver.createOutputTopic('out', Serdes.Integer, L).readKeyValuesToList(), [
      kv(1, 1),
      kv(2, 1),
      kv(1, 2),
    ]);
    driver.close();
  });
});

describe('KTable (TopologyTestDriver)', () => {
  it('a table source applies updates and tombstones; a materialized table is queryable', () => {
    const builder = new StreamsBuilder();
    builder
      .table('users', { key: S, value: S }, { name: 'users-store' })
      .toStream()
      .to('out', { key: S, value: S });
    const driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('users', S, S);
    input.pipeInput('alice', 'paris');
    input.pipeInput('bob', 'oslo');
    input.pipeInput('alice', 'rome');
    input.pipeInput('bob', null);
    assert.deepEqual(driver.createOutputTopic('out', S, S).readKeyValuesToList(), [
      kv('alice', 'paris'),
      kv('bob', 'oslo'),
      kv('alice', 'rome'),
      kv('bob', null),
    ]);
    const store = driver.getKeyValueStore<string, string>('users-store')!;
    assert.equal(store.get('alice'), 'rome');
    assert.equal(store.get('bob'), null);
    assert.equal(store.approximateNumEntries(), 1);
    driver.close();
  });

  it('filter turns an update that fails the predicate into a tombstone; filterNot the opposite', () => {
    const builder = new StreamsBuilder();
    const table = builder.table('t', { key: S, value: Serdes.Integer });
    table
      .filter((_k, v) => v > 10, { name: 'big' })
      .toStream()
      .to('big', { key: S, value: Serdes.Integer });
    table
      .filterNot((_k, v) => v > 10)
      .toStream()
      .to('small', { key: S, value: Serdes.Integer });
    const driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('t', S, Serdes.Integer);
    input.pipeInput('a', 20);
    input.pipeInput('a', 5);
    input.pipeInput('b', 30);
    input.pipeInput('b', null);
    assert.deepEqual(driver.createOutputTopic('big', S, Serdes.Integer).readKeyValuesToList(), [
      kv('a', 20),
      kv('a', null),
      kv('b', 30),
      kv('b', null),
    ]);
    assert.deepEqual(driver.createOutputTopic('small', S, Serdes.Integer).readKeyValuesToList(), [
      kv('a', null),
      kv('a', 5),
      kv('b', null),
      kv('b', null),
    ]);
    const big = driver.getKeyValueStore<string, number>('big')!;
    assert.equal(big.get('a'), null);
    assert.equal(big.get('b'), null);
    driver.close();
  });

  it('mapValues maps values and keeps tombstones; toStream of an aggregate emits each update', () => {
    const builder = new StreamsBuilder();
    builder
      .table('t', { key: S, value: S })
      .mapValues((v) => v.length, { name: 'lengths', value: Serdes.Integer })
      .toStream()
      .to('out', { key: S, value: Serdes.Integer });
    const driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('t', S, S);
    input.pipeInput('a', 'xyz');
    input.pipeInput('a', null);
    assert.deepEqual(driver.createOutputTopic('out', S, Serdes.Integer).readKeyValuesToList(), [
      kv('a', 3),
      kv('a', null),
    ]);
    assert.equal(driver.getKeyValueStore<string, number>('lengths')!.get('a'), null);
    driver.close();
  });

  it('names a table source and its store as Kafka does', () => {
    const builder = new StreamsBuilder();
    builder.table('input-topic').toStream().to('out');
    const text = builder.build().describe();
    assert.match(
      text,
      /Source: KSTREAM-SOURCE-0000000001 \(topics: \[input-topic\]\)\n {6}--> KTABLE-SOURCE-0000000002\n/,
    );
    assert.match(text, /Processor: KTABLE-SOURCE-0000000002 \(stores: \[\]\)/);
    const named = new StreamsBuilder();
    named.table('input-topic', {}, { name: 'kept' });
    assert.match(named.build().describe(), /Processor: KTABLE-SOURCE-0000000001 \(stores: \[kept\]\)/);
  });
});
