import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Admin } from '../../src/client/index.js';
import { JoinWindows, Serdes, StreamsBuilder, TopologyTestDriver } from '../../src/streams/index.js';
import { planTopics } from '../../src/streams/runtime/topic-plan.js';

const S = Serdes.String;
const show = (v: string | null) => v ?? 'null';

function streams(build: (b: StreamsBuilder) => void) {
  const builder = new StreamsBuilder();
  build(builder);
  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'joins' });
  return {
    driver,
    topology: builder.build(),
    left: driver.createInputTopic('left', S, S),
    right: driver.createInputTopic('right', S, S),
    out: () =>
      driver
        .createOutputTopic('out', S, S)
        .readRecordsToList()
        .map((r) => [r.key, r.value, r.timestamp]),
  };
}

describe('stream-stream joins (TopologyTestDriver)', () => {
  it('inner join: every pair of one key within the window, timestamped with the later record; out-of-order records join too', () => {
    const t = streams((b) =>
      b
        .stream<string, string>('left', { key: S, value: S })
        .join(
          b.stream<string, string>('right', { key: S, value: S }),
          (l, r) => `${l}+${r}`,
          JoinWindows.ofTimeDifferenceAndGrace(10, 5),
        )
        .to('out', { value: S }),
    );
    t.left.pipeInput('a', 'l1', 0);
    t.right.pipeInput('a', 'r1', 5);
    t.left.pipeInput('a', 'l2', 20);
    t.right.pipeInput('a', 'r2', 12);
    t.right.pipeInput('a', 'r3', 1); // out of order: still joins l1
    t.right.pipeInput('b', 'r4', 1);
    assert.deepEqual(t.out(), [
      ['a', 'l1+r1', 5],
      ['a', 'l2+r2', 20],
      ['a', 'l1+r3', 1],
    ]);
    assert.match(
      t.topology.describe(),
      /Processor: KSTREAM-JOINTHIS-0000000004 \(stores: \[KSTREAM-JOINOTHER-0000000005-store\]\)/,
    );
    t.driver.close();
  });

  it('left join emits a null result only once the window has closed without a match (no spurious nulls); a late record at once', () => {
    const t = streams((b) =>
      b
        .stream<string, string>('left', { key: S, value: S })
        .leftJoin(
          b.stream<string, string>('right', { key: S, value: S }),
          (l, r) => `${l}+${show(r)}`,
          JoinWindows.ofTimeDifferenceAndGrace(10, 0),
        )
        .to('out', { value: S }),
    );
    t.left.pipeInput('a', 'l1', 0);
    t.right.pipeInput('a', 'r1', 5); // matches l1 within the window: no l1+null ever
    t.left.pipeInput('b', 'l2', 6);
    assert.deepEqual(t.out(), [['a', 'l1+r1', 5]]);
    t.left.pipeInput('c', 'l3', 30); // stream time 30: b's window [.., 16] has closed
    assert.deepEqual(t.out(), [['b', 'l2+null', 6]]);
    t.right.pipeInput('d', 'r9', 41); // c's window [.., 40] has closed
    t.left.pipeInput('e', 'l4', 10); // already past its window: answered at once
    assert.deepEqual(t.out(), [
      ['c', 'l3+null', 30],
      ['e', 'l4+null', 10],
    ]);
    assert.match(t.topology.describe(), /KSTREAM-OUTERSHARED-0000000004-store/);
    t.driver.close();
  });

  it('outer join emits unmatched records of both sides after their windows close', () => {
    const t = streams((b) =>
      b
        .stream<string, string>('left', { key: S, value: S })
        .outerJoin(
          b.stream<string, string>('right', { key: S, value: S }),
          (l, r) => `${show(l)}+${show(r)}`,
          JoinWindows.ofTimeDifferenceWithNoGrace(5),
        )
        .to('out', { value: S }),
    );
    t.left.pipeInput('a', 'l1', 0);
    t.right.pipeInput('b', 'r1', 1);
    t.right.pipeInput('a', 'r2', 3);
    assert.deepEqual(t.out(), [['a', 'l1+r2', 3]]);
    t.left.pipeInput('x', 'l9', 20);
    assert.deepEqual(t.out(), [['b', 'null+r1', 1]]);
    t.driver.close();
  });

  it('repartitions a re-keyed side before the join, through <node>-repartition', () => {
    const t = streams((b) =>
      b
        .stream<string, string>('left', { key: S, value: S })
        .selectKey((_k, v) => v.split(':')[0]!)
        .join(
          b.stream<string, string>('right', { key: S, value: S }),
          (l, r) => `${l}+${r}`,
          JoinWindows.ofTimeDifferenceWithNoGrace(100),
        )
        .to('out', { value: S }),
    );
    t.left.pipeInput(null, 'k:l1', 1);
    t.right.pipeInput('k', 'r1', 2);
    assert.deepEqual(t.out(), [['k', 'k:l1+r1', 2]]);
    assert.match(
      t.topology.describe(),
      /Sink: KSTREAM-SINK-\d+ \(topic: KSTREAM-KEY-SELECT-0000000001-repartition\)/,
    );
    t.driver.close();
  });
});

describe('stream-table and table-table joins (TopologyTestDriver)', () => {
  it('stream-table join and left join read the table as of each stream record; table updates produce nothing', () => {
    const t = streams((b) => {
      const table = b.table<string, string>('right', { key: S, value: S });
      const stream = b.stream<string, string>('left', { key: S, value: S });
      stream.join(table, (s, v) => `${s}+${v}`).to('out', { value: S });
      stream.leftJoin(table, (s, v) => `${s}+${show(v)}`).to('out', { value: S });
    });
    t.left.pipeInput('a', 's1', 0);
    t.right.pipeInput('a', 't1', 1);
    t.left.pipeInput('a', 's2', 2);
    t.right.pipeInput('a', null, 3);
    t.left.pipeInput('a', 's3', 4);
    assert.deepEqual(t.out(), [
      ['a', 's1+null', 0],
      ['a', 's2+t1', 2],
      ['a', 's2+t1', 2],
      ['a', 's3+null', 4],
    ]);
    // The source table was materialized for the join under its generated store name.
    assert.match(
      t.topology.describe(),
      /Processor: KTABLE-SOURCE-0000000002 \(stores: \[right-STATE-STORE-0000000000\]\)/,
    );
    t.driver.close();
  });

  for (const [kind, expected] of [
    [
      'join',
      [
        ['a', 'l1+r1', 2],
        ['a', 'l2+r1', 3],
        ['a', null, 4],
      ],
    ],
    [
      'leftJoin',
      [
        ['a', 'l1+null', 1],
        ['a', 'l1+r1', 2],
        ['a', 'l2+r1', 3],
        ['a', 'l2+null', 4],
        ['b', 'l3+null', 5],
        ['a', null, 7],
      ],
    ],
    [
      'outerJoin',
      [
        ['a', 'l1+null', 1],
        ['a', 'l1+r1', 2],
        ['a', 'l2+r1', 3],
        ['a', 'l2+null', 4],
        ['b', 'l3+null', 5],
        ['c', 'null+r5', 6],
        ['a', null, 7],
      ],
    ],
  ] as const) {
    it(`table-table ${kind}: updates of either side update the result, deletes become tombstones`, () => {
      const t = streams((b) => {
        const left = b.table<string, string>('left', { key: S, value: S });
        const right = b.table<string, string>('right', { key: S, value: S });
        left[kind](right, (l: string | null, r: string | null) => `${show(l)}+${show(r)}`)
          .filter((_k, v) => v !== 'never')
          .toStream()
          .to('out', { value: S });
      });
      t.left.pipeInput('a', 'l1', 1);
      t.right.pipeInput('a', 'r1', 2);
      t.left.pipeInput('a', 'l2', 3);
      t.right.pipeInput('a', null, 4);
      t.left.pipeInput('b', 'l3', 5);
      t.right.pipeInput('c', 'r5', 6);
      t.left.pipeInput('a', null, 7);
      assert.deepEqual(t.out(), expected);
      t.driver.close();
    });
  }
});

describe('co-partitioning', () => {
  function admin(partitions: Record<string, number>): Admin {
    return {
      listTopics: async () => Object.keys(partitions),
      describeTopics: async (names: string[]) =>
        names.map((name) => ({
          name,
          partitions: Array.from({ length: partitions[name]! }, () => ({ leader: 1 })),
        })),
    } as unknown as Admin;
  }

  it("refuses join inputs of different partition counts, as Kafka's TopologyException", async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('left', { key: S, value: S })
      .join(b.table<string, string>('right', { key: S, value: S }), (l, r) => l + r)
      .to('out');
    await assert.rejects(planTopics(b.build().model, 'app', admin({ left: 2, right: 3 }), 1), {
      code: 'TOPOLOGY_INVALID',
      message: /Topics not co-partitioned: \[left,right\]/,
    });
    const plan = await planTopics(b.build().model, 'app', admin({ left: 3, right: 3 }), 1);
    assert.deepEqual(
      plan.subtopologies.map((s) => s.partitions),
      [3],
    );
  });

  it('gives a repartition topic before a join the partition count of the other side', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('left', { key: S, value: S })
      .selectKey((_k, v) => v)
      .join(b.table<string, string>('right', { key: S, value: S }), (l, r) => l + r)
      .to('out');
    const plan = await planTopics(b.build().model, 'app', admin({ left: 1, right: 4 }), 1);
    const repartition = plan.internalTopics.find((t) => t.topic.endsWith('-repartition'))!;
    assert.equal(repartition.numPartitions, 4);
    assert.deepEqual(
      plan.subtopologies.map((s) => s.partitions),
      [1, 4],
    );
  });
});

describe('GlobalKTable (TopologyTestDriver)', () => {
  it('stream-globalTable join and left join look up the key the selector picks; the global store holds the whole topic', () => {
    const builder = new StreamsBuilder();
    const users = builder.globalTable<string, string>('users', { key: S, value: S }, { name: 'users-store' });
    const orders = builder.stream<string, string>('orders', { key: S, value: S });
    // Orders are keyed by order id; the value names the user ("user:item").
    orders
      .join(
        users,
        (_id, v) => v.split(':')[0]!,
        (v, user) => `${v}@${user}`,
      )
      .to('joined', { value: S });
    orders
      .leftJoin(
        users,
        (_id, v) => v.split(':')[0]!,
        (v, user) => `${v}@${show(user)}`,
      )
      .to('left-joined', { value: S });
    const topology = builder.build();
    const driver = new TopologyTestDriver(topology);
    const usersIn = driver.createInputTopic('users', S, S);
    const ordersIn = driver.createInputTopic('orders', S, S);
    usersIn.pipeInput('u1', 'Ada', 1);
    ordersIn.pipeInput('o1', 'u1:book', 2);
    ordersIn.pipeInput('o2', 'u2:pen', 3);
    usersIn.pipeInput('u1', null, 4);
    ordersIn.pipeInput('o3', 'u1:ink', 5);
    const read = (t: string) =>
      driver
        .createOutputTopic(t, S, S)
        .readKeyValuesToList()
        .map((r) => `${r.key}=${r.value}`);
    assert.deepEqual(read('joined'), ['o1=u1:book@Ada']);
    assert.deepEqual(read('left-joined'), ['o1=u1:book@Ada', 'o2=u2:pen@null', 'o3=u1:ink@null']);
    usersIn.pipeInput('u3', 'Grace', 6);
    assert.equal(driver.getKeyValueStore<string, string>('users-store')!.get('u3'), 'Grace');
    assert.match(
      topology.describe(),
      /Sub-topology: 0 for global store \(will not generate tasks\)\n {4}Source: KSTREAM-SOURCE-0000000000 \(topics: \[users\]\)/,
    );
    assert.match(topology.describe(), /Processor: KSTREAM-JOIN-0000000003 \(stores: \[\]\)/);
    driver.close();
  });
});
