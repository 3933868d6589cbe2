import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Serdes, Stores, StreamsBuilder, Topology } from '../../src/streams/index.js';

// Expected outputs are what Kafka Streams prints for the same programs (its TopologyTest and the
// WordCount tutorial): generated names, numbering, node order and layout.
describe('topology.describe()', () => {
  it('prints the word count as Kafka Streams does, with the repartition topic named after the store', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('text-lines', { key: Serdes.String, value: Serdes.String })
      .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
      .groupBy((_key, word) => word)
      .count({ name: 'word-counts' })
      .toStream()
      .to('word-count-output', { key: Serdes.String, value: Serdes.Long });
    assert.equal(
      builder.build().describe(),
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [text-lines])\n' +
        '      --> KSTREAM-FLATMAPVALUES-0000000001\n' +
        '    Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])\n' +
        '      --> KSTREAM-KEY-SELECT-0000000002\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])\n' +
        '      --> word-counts-repartition-filter\n' +
        '      <-- KSTREAM-FLATMAPVALUES-0000000001\n' +
        '    Processor: word-counts-repartition-filter (stores: [])\n' +
        '      --> word-counts-repartition-sink\n' +
        '      <-- KSTREAM-KEY-SELECT-0000000002\n' +
        '    Sink: word-counts-repartition-sink (topic: word-counts-repartition)\n' +
        '      <-- word-counts-repartition-filter\n' +
        '\n' +
        '  Sub-topology: 1\n' +
        '    Source: word-counts-repartition-source (topics: [word-counts-repartition])\n' +
        '      --> KSTREAM-AGGREGATE-0000000003\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [word-counts])\n' +
        '      --> KTABLE-TOSTREAM-0000000007\n' +
        '      <-- word-counts-repartition-source\n' +
        '    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000008\n' +
        '      <-- KSTREAM-AGGREGATE-0000000003\n' +
        '    Sink: KSTREAM-SINK-0000000008 (topic: word-count-output)\n' +
        '      <-- KTABLE-TOSTREAM-0000000007\n' +
        '\n',
    );
  });

  it('numbers generated stores and repartition nodes as Kafka does (TopologyTest)', () => {
    const builder = new StreamsBuilder();
    builder.stream('input-topic').groupByKey().count();
    assert.equal(
      builder.build().describe(),
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-AGGREGATE-0000000002\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    );

    const anonymous = new StreamsBuilder();
    anonymous.stream('input-topic').groupByKey().count({ value: Serdes.Long });
    assert.match(
      anonymous.build().describe(),
      /KSTREAM-AGGREGATE-0000000003 \(stores: \[KSTREAM-AGGREGATE-STATE-STORE-0000000002\]\)/,
    );

    const rekeyed = new StreamsBuilder();
    rekeyed
      .stream('input-topic')
      .selectKey((k) => k)
      .groupByKey()
      .count();
    assert.equal(
      rekeyed.build().describe(),
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-KEY-SELECT-0000000001\n' +
        '    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])\n' +
        '      --> KSTREAM-FILTER-0000000005\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-FILTER-0000000005 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000004\n' +
        '      <-- KSTREAM-KEY-SELECT-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000004 (topic: KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition)\n' +
        '      <-- KSTREAM-FILTER-0000000005\n' +
        '\n' +
        '  Sub-topology: 1\n' +
        '    Source: KSTREAM-SOURCE-0000000006 (topics: [KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition])\n' +
        '      --> KSTREAM-AGGREGATE-0000000003\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000006\n' +
        '\n',
    );
  });

  it('names split branches after the splitter and orders nodes of equal sub-tree size by name', () => {
    const builder = new StreamsBuilder();
    const branches = builder
      .stream<string, string>('in')
      .split('split-')
      .branch((_k, v) => v.startsWith('a'), { name: 'a' })
      .defaultBranch();
    branches['split-a']!.to('out-a');
    const text = builder.build().describe();
    assert.equal(
      text,
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [in])\n' +
        '      --> split-\n' +
        '    Processor: split- (stores: [])\n' +
        '      --> split-a, split-0\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: split-a (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000003\n' +
        '      <-- split-\n' +
        '    Sink: KSTREAM-SINK-0000000003 (topic: out-a)\n' +
        '      <-- split-a\n' +
        '    Processor: split-0 (stores: [])\n' +
        '      --> none\n' +
        '      <-- split-\n' +
        '\n',
    );
  });

  it('describes a Processor API topology, joining processors that share a store into one sub-topology', () => {
    const topology = new Topology()
      .addSource('source-a', 'topic-a')
      .addSource('source-b', ['topic-b', 'topic-c'])
      .addProcessor('proc-a', () => ({ process() {} }), 'source-a')
      .addProcessor('proc-b', () => ({ process() {} }), 'source-b')
      .addStateStore(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('shared'), Serdes.String, Serdes.String),
        'proc-a',
        'proc-b',
      )
      .addSink('sink', 'out', ['proc-a', 'proc-b']);
    assert.equal(
      topology.describe(),
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: source-a (topics: [topic-a])\n' +
        '      --> proc-a\n' +
        '    Source: source-b (topics: [topic-b, topic-c])\n' +
        '      --> proc-b\n' +
        '    Processor: proc-a (stores: [shared])\n' +
        '      --> sink\n' +
        '      <-- source-a\n' +
        '    Processor: proc-b (stores: [shared])\n' +
        '      --> sink\n' +
        '      <-- source-b\n' +
        '    Sink: sink (topic: out)\n' +
        '      <-- proc-a, proc-b\n' +
        '\n',
    );
  });

  it('refuses what Kafka refuses: duplicate names, unknown parents, a topic read by two sources', () => {
    const t = new Topology().addSource('s', 't');
    assert.throws(() => t.addSource('s', 'u'), { code: 'TOPOLOGY_INVALID' });
    assert.throws(() => t.addSource('s2', 't'), { code: 'TOPOLOGY_INVALID' });
    assert.throws(() => t.addProcessor('p', () => ({ process() {} }), 'missing'), {
      code: 'TOPOLOGY_INVALID',
    });
    t.addSink('k', 'out', 's');
    assert.throws(() => t.addProcessor('p', () => ({ process() {} }), 'k'), { code: 'TOPOLOGY_INVALID' });
    assert.throws(() => t.connectProcessorAndStateStores('p', 'nope'), { code: 'TOPOLOGY_INVALID' });
  });
});
