import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type KStream, Serdes, StreamsBuilder, TopologyTestDriver } from '../../src/streams/index.js';

const S = Serdes.String;

/** Builds `in` (String, String) → op → `out`, pipes the records and returns what `out` received. */
function run(
  op: (s: KStream<string, string>) => KStream<string, string>,
  input: [string | null, string][],
): { key: unknown; value: unknown }[] {
  const builder = new StreamsBuilder();
  op(builder.stream('in', { key: S, value: S })).to('out', { key: S, value: S });
  const driver = new TopologyTestDriver(builder.build());
  try {
    const inTopic = driver.createInputTopic('in', S, S);
    for (const [k, v] of input) inTopic.pipeInput(k, v);
    return driver.createOutputTopic('out', S, S).readKeyValuesToList();
  } finally {
    driver.close();
  }
}

const kv = (key: unknown, value: unknown) => ({ key, value });

describe('KStream stateless operators (TopologyTestDriver)', () => {
  it('filter keeps and filterNot drops the records satisfying the predicate', () => {
    const input: [string, string][] = [
      ['a', '1'],
      ['b', '22'],
      ['c', '333'],
    ];
    assert.deepEqual(
      run((s) => s.filter((_k, v) => v.length >= 2), input),
      [kv('b', '22'), kv('c', '333')],
    );
    assert.deepEqual(
      run((s) => s.filterNot((_k, v) => v.length >= 2), input),
      [kv('a', '1')],
    );
  });

  it('map, selectKey and mapValues change what they say, keeping the rest', () => {
    assert.deepEqual(
      run((s) => s.map((k, v) => ({ key: v, value: k ?? '' })), [['a', 'x']]),
      [kv('x', 'a')],
    );
    assert.deepEqual(
      run((s) => s.selectKey((_k, v) => v.toUpperCase()), [['a', 'x']]),
      [kv('X', 'x')],
    );
    assert.deepEqual(
      run((s) => s.mapValues((v, k) => `${k}:${v}`), [['a', 'x']]),
      [kv('a', 'a:x')],
    );
  });

  it('flatMap and flatMapValues emit zero or more records per input, in order', () => {
    assert.deepEqual(
      run(
        (s) => s.flatMap((k, v) => [...v].map((ch) => ({ key: `${k}${ch}`, value: ch }))),
        [
          ['k', 'ab'],
          ['z', ''],
        ],
      ),
      [kv('ka', 'a'), kv('kb', 'b')],
    );
    assert.deepEqual(
      run((s) => s.flatMapValues((v) => v.split(' ')), [['k', 'x y']]),
      [kv('k', 'x'), kv('k', 'y')],
    );
  });

  it('peek and foreach see every record; peek passes it on', () => {
    const seen: string[] = [];
    const builder = new StreamsBuilder();
    const s = builder.stream('in', { key: S, value: S });
    s.peek((k, v) => seen.push(`peek ${k}=${v}`)).to('out', { key: S, value: S });
    s.foreach((k, v) => seen.push(`foreach ${k}=${v}`));
    const driver = new TopologyTestDriver(builder.build());
    driver.createInputTopic('in', S, S).pipeInput('a', '1');
    assert.deepEqual(seen, ['peek a=1', 'foreach a=1']);
    assert.deepEqual(driver.createOutputTopic('out', S, S).readKeyValuesToList(), [kv('a', '1')]);
    driver.close();
  });

  it('split sends each record to the first matching branch, else to the default branch', () => {
    const builder = new StreamsBuilder();
    const branches = builder
      .stream('in', { key: S, value: S })
      .split('route-')
      .branch((_k, v) => v.startsWith('a'), { name: 'a' })
      .branch((_k, v) => v.startsWith('a') || v.startsWith('b'), { name: 'b' })
      .branch((_k, v) => v.startsWith('c'), {
        chain: (branch) => void branch.to('out-c', { key: S, value: S }),
      })
      .defaultBranch({ name: 'other' });
    assert.deepEqual(Object.keys(branches).sort(), ['route-a', 'route-b', 'route-other']);
    branches['route-a']!.to('out-a', { key: S, value: S });
    branches['route-b']!.to('out-b', { key: S, value: S });
    branches['route-other']!.to('out-other', { key: S, value: S });
    const driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, S);
    for (const v of ['apple', 'banana', 'avocado', 'cherry', 'date']) input.pipeInput('k', v);
    assert.deepEqual(driver.createOutputTopic('out-a', S, S).readValuesToList(), ['apple', 'avocado']);
    assert.deepEqual(driver.createOutputTopic('out-b', S, S).readValuesToList(), ['banana']);
    assert.deepEqual(driver.createOutputTopic('out-c', S, S).readValuesToList(), ['cherry']);
    assert.deepEqual(driver.createOutputTopic('out-other', S, S).readValuesToList(), ['date']);
    driver.close();
  });

  it('split without a default branch drops unmatched records', () => {
    const builder = new StreamsBuilder();
    const branches = builder
      .stream('in', { key: S, value: S })
      .split()
      .branch((_k, v) => v === 'keep')
      .noDefaultBranch();
    const [only] = Object.values(branches);
    only!.to('out', { key: S, value: S });
    const driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k', 'drop');
    input.pipeInput('k', 'keep');
    assert.deepEqual(driver.createOutputTopic('out', S, S).readValuesToList(), ['keep']);
    driver.close();
  });

  it('merge forwards the records of both streams in processing order', () => {
    const builder = new StreamsBuilder();
    const a = builder.stream('a', { key: S, value: S });
    const b = builder.stream('b', { key: S, value: S });
    a.merge(b).to('out');
    const driver = new TopologyTestDriver(builder.build());
    driver.createInputTopic('a', S, S).pipeInput('x', 'from-a');
    driver.createInputTopic('b', S, S).pipeInput('y', 'from-b');
    driver.createInputTopic('a', S, S).pipeInput('z', 'from-a-2');
    assert.deepEqual(driver.createOutputTopic('out', S, S).readKeyValuesToList(), [
      kv('x', 'from-a'),
      kv('y', 'from-b'),
      kv('z', 'from-a-2'),
    ]);
    driver.close();
  });

  it('to with a topic extractor picks the topic per record; records keep timestamp and headers', () => {
    const builder = new StreamsBuilder();
    builder.stream('in', { key: S, value: S }).to((key) => `out-${key}`, { key: S, value: S });
    const driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeRecord({
      key: 'x',
      value: '1',
      timestamp: 42,
      headers: [{ key: 'h', value: Buffer.from('v') }],
    });
    input.pipeInput('y', '2', 43);
    assert.deepEqual(driver.producedTopicNames(), new Set(['out-x', 'out-y']));
    const record = driver.createOutputTopic('out-x', S, S).readRecord();
    assert.deepEqual(record, {
      key: 'x',
      value: '1',
      timestamp: 42,
      headers: [{ key: 'h', value: Buffer.from('v') }],
    });
    assert.equal(driver.createOutputTopic('out-y', S, S).readRecord().timestamp, 43);
    driver.close();
  });

  it('repartition writes through <application.id>-<name>-repartition and reads the records back', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', { key: S, value: S })
      .selectKey((_k, v) => v)
      .repartition({ name: 'by-value', key: S, numberOfPartitions: 3 })
      .to('out', { key: S, value: S });
    const topology = builder.build();
    assert.deepEqual(
      [...topology.model.internalTopics.values()],
      [{ name: 'by-value-repartition', partitions: 3 }],
    );
    const driver = new TopologyTestDriver(topology, { applicationId: 'app' });
    driver.createInputTopic('in', S, S).pipeInput('k', 'v');
    assert.deepEqual(driver.createOutputTopic('out', S, S).readKeyValuesToList(), [kv('v', 'v')]);
    assert.ok(
      !driver.producedTopicNames().has('app-by-value-repartition'),
      'internal topics are not outputs',
    );
    driver.close();
  });

  it('a serde that cannot write the value fails with SERIALIZATION_FAILED naming the sink', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', { key: S, value: S })
      .mapValues((v) => v.length)
      .to('out', { key: S, value: S as never });
    const driver = new TopologyTestDriver(builder.build());
    assert.throws(() => driver.createInputTopic('in', S, S).pipeInput('k', 'abc'), {
      code: 'SERIALIZATION_FAILED',
      message: /KSTREAM-SINK-0000000002.*topic out/,
    });
    driver.close();
  });
});
