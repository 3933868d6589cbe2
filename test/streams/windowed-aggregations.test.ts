import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BufferConfig,
  type KStream,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  TopologyTestDriver,
  type Windowed,
  WindowedSerdes,
} from '../../src/streams/index.js';
import type { ChangelogRecord, StateStoreContext } from '../../src/streams/state/state-store.js';
import { Stores } from '../../src/streams/state/stores.js';

const S = Serdes.String;
const L = Serdes.Long;

function drive(build: (input: KStream<string, string>) => void) {
  const builder = new StreamsBuilder();
  build(builder.stream('in', { key: S, value: S }));
  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'win' });
  return { driver, input: driver.createInputTopic('in', S, S), topology: builder.build() };
}

const dropped = (driver: TopologyTestDriver) =>
  driver.metrics().find((m) => m.name === 'dropped-records-total')!.value;

/** Windowed output as [key, window start, window end, value, timestamp]. */
const rows = <V>(records: { key: Windowed<string> | null; value: V | null; timestamp: number }[]) =>
  records.map((r) => [r.key!.key, r.key!.window.start, r.key!.window.end, r.value, r.timestamp]);

describe('windowed aggregations (TopologyTestDriver)', () => {
  it('tumbling windows count by stream time: an out-of-order record within grace updates its window, a later one is dropped and counted', () => {
    const tw = WindowedSerdes.timeWindowedSerdeFrom(S, 10);
    const { driver, input } = drive((s) =>
      s
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
        .count({ name: 'counts' })
        .toStream()
        .to('out', { key: tw, value: L }),
    );
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', 'x', 12);
    input.pipeInput('a', 'x', 8); // stream time 12, window [0,10) closes at 10 + 5: still open
    input.pipeInput('a', 'x', 16); // stream time 16
    input.pipeInput('a', 'x', 5); // [0,10) closed (16 - 5 >= 10): dropped
    input.pipeInput('b', 'x', 11);
    assert.deepEqual(rows(driver.createOutputTopic('out', tw, L).readRecordsToList()), [
      ['a', 0, 10, 1, 1],
      ['a', 10, 20, 1, 12],
      ['a', 0, 10, 2, 8],
      ['a', 10, 20, 2, 16],
      ['b', 10, 20, 1, 11],
    ]);
    assert.equal(dropped(driver), 1);
    const store = driver.getWindowStore<string, { value: number; timestamp: number }>('counts')!;
    assert.deepEqual(store.fetch('a', 10), { value: 2, timestamp: 16 });
    assert.deepEqual(
      store.fetch('a', 0, 20).map((e) => [e.key, e.value.value]),
      [
        [0, 2],
        [10, 2],
      ],
    );
    assert.deepEqual(
      store.fetchAll(10, 10).map((e) => [e.key.key, e.key.window.start, e.value.value]),
      [
        ['a', 10, 2],
        ['b', 10, 1],
      ],
    );
    driver.close();
  });

  it('hopping windows: a record counts in every window covering it; reduce and aggregate', () => {
    const tw = WindowedSerdes.timeWindowedSerdeFrom(S, 10);
    const { driver, input } = drive((s) => {
      const windowed = s.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5));
      windowed
        .reduce((a, v) => a + v)
        .toStream()
        .to('concat', { key: tw, value: S });
      windowed
        .aggregate(
          () => 0,
          (_k, v, n) => n + v.length,
          { value: Serdes.Integer },
        )
        .toStream()
        .to('lengths', { key: tw, value: Serdes.Integer });
    });
    input.pipeInput('a', 'x', 7);
    input.pipeInput('a', 'yy', 9);
    assert.deepEqual(rows(driver.createOutputTopic('concat', tw, S).readRecordsToList()), [
      ['a', 0, 10, 'x', 7],
      ['a', 5, 15, 'x', 7],
      ['a', 0, 10, 'xyy', 9],
      ['a', 5, 15, 'xyy', 9],
    ]);
    assert.deepEqual(
      rows(driver.createOutputTopic('lengths', tw, Serdes.Integer).readRecordsToList()).map((r) => r[3]),
      [1, 1, 3, 3],
    );
    driver.close();
  });

  it('suppress(untilWindowCloses) emits each window once, with its final count, after window end plus grace', () => {
    const tw = WindowedSerdes.timeWindowedSerdeFrom(S, 10);
    const { driver, input, topology } = drive((s) =>
      s
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
        .count()
        .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
        .toStream()
        .to('final', { key: tw, value: L }),
    );
    const out = driver.createOutputTopic('final', tw, L);
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', 'x', 3);
    input.pipeInput('b', 'x', 4);
    input.pipeInput('a', 'x', 12);
    input.pipeInput('a', 'x', 9); // late but within grace: still counted in [0,10)
    assert.equal(out.isEmpty(), true);
    input.pipeInput('c', 'x', 15); // stream time 15 = end 10 + grace 5: [0,10) closes
    assert.deepEqual(rows(out.readRecordsToList()), [
      ['a', 0, 10, 3, 9],
      ['b', 0, 10, 1, 4],
    ]);
    input.pipeInput('c', 'x', 26);
    assert.deepEqual(rows(out.readRecordsToList()), [
      ['a', 10, 20, 1, 12],
      ['c', 10, 20, 1, 15],
    ]);
    assert.match(
      topology.describe(),
      /Processor: KTABLE-SUPPRESS-0000000003 \(stores: \[KTABLE-SUPPRESS-STATE-STORE-0000000004\]\)/,
    );
    assert.match(
      topology.describe(),
      /Processor: KSTREAM-AGGREGATE-0000000002 \(stores: \[KSTREAM-AGGREGATE-STATE-STORE-0000000001\]\)/,
    );
    driver.close();
  });

  it('suppress(untilTimeLimit) emits a key’s latest value a time after its first held update; a full buffer emits early', () => {
    const builder = new StreamsBuilder();
    const counts = builder.stream('in', { key: S, value: S }).groupByKey().count();
    counts
      .suppress(Suppressed.untilTimeLimit(10, BufferConfig.unbounded()))
      .toStream()
      .to('limited', { key: S, value: L });
    counts
      .suppress(Suppressed.untilTimeLimit<string>(100, BufferConfig.maxRecords(1)).withName('small'))
      .toStream()
      .to('early', { key: S, value: L });
    const driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 0);
    input.pipeInput('a', 'x', 5);
    input.pipeInput('b', 'x', 6);
    input.pipeInput('a', 'x', 10); // a has waited 10 since its first held update
    input.pipeInput('b', 'x', 16);
    const limited = driver.createOutputTopic('limited', S, L).readRecordsToList();
    assert.deepEqual(
      limited.map((r) => [r.key, r.value, r.timestamp]),
      [
        ['a', 3, 10],
        ['b', 2, 16],
      ],
    );
    // One record fits: a second key pushes the oldest held value out.
    assert.deepEqual(
      driver
        .createOutputTopic('early', S, L)
        .readRecordsToList()
        .map((r) => [r.key, r.value]),
      [
        ['a', 2],
        ['b', 1],
        ['a', 3],
      ],
    );
    driver.close();
  });

  it('session windows merge records closer than the gap, delete the merged sessions downstream, and drop records for closed sessions', () => {
    const sw = WindowedSerdes.sessionWindowedSerdeFrom(S);
    const { driver, input } = drive((s) =>
      s
        .groupByKey()
        .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5))
        .count({ name: 'sessions' })
        .toStream()
        .to('out', { key: sw, value: L }),
    );
    input.pipeInput('a', 'x', 0);
    input.pipeInput('a', 'x', 3);
    input.pipeInput('a', 'x', 20);
    input.pipeInput('a', 'x', 10); // a new session [10,10] would end before 20 - 5: dropped
    input.pipeInput('a', 'x', 17); // joins [20,20]
    assert.deepEqual(rows(driver.createOutputTopic('out', sw, L).readRecordsToList()), [
      ['a', 0, 0, 1, 0],
      ['a', 0, 0, null, 0],
      ['a', 0, 3, 2, 3],
      ['a', 20, 20, 1, 20],
      ['a', 20, 20, null, 20],
      ['a', 17, 20, 2, 20],
    ]);
    assert.equal(dropped(driver), 1);
    // The store keeps sessions for gap + grace after their end: [0,3] has expired.
    const store = driver.getSessionStore<string, number>('sessions')!;
    assert.deepEqual(
      store.fetch('a').map((e) => [e.key.window.start, e.key.window.end, e.value]),
      [[17, 20, 2]],
    );
    driver.close();
  });

  it('session reduce and aggregate with a merger', () => {
    const sw = WindowedSerdes.sessionWindowedSerdeFrom(S);
    const { driver, input } = drive((s) => {
      const sessions = s.groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 10));
      sessions
        .reduce((a, v) => `${a}+${v}`)
        .toStream()
        .to('reduced', { key: sw, value: S });
      sessions
        .aggregate(
          () => '',
          (_k, v, a) => a + v,
          (_k, a, b) => `${a}|${b}`,
        )
        .toStream()
        .to('aggregated', { key: sw, value: S });
    });
    input.pipeInput('a', 'p', 0);
    input.pipeInput('a', 'q', 10);
    input.pipeInput('a', 'r', 5); // bridges [0,0] and [10,10]
    const reduced = driver.createOutputTopic('reduced', sw, S).readRecordsToList();
    assert.deepEqual(rows(reduced).at(-1), ['a', 0, 10, 'p+q+r', 10]);
    const aggregated = driver.createOutputTopic('aggregated', sw, S).readRecordsToList();
    assert.deepEqual(rows(aggregated).at(-1), ['a', 0, 10, '|p|qr', 10]);
    driver.close();
  });
});

describe('sliding windows (TopologyTestDriver)', () => {
  it('aggregates every distinct set of records at most the time difference apart, as KIP-450 defines them', () => {
    const tw = WindowedSerdes.timeWindowedSerdeFrom(S, 10);
    const { driver, input } = drive((s) =>
      s
        .groupByKey()
        .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5))
        .count()
        .toStream()
        .to('out', { key: tw, value: L }),
    );
    const out = driver.createOutputTopic('out', tw, L);
    input.pipeInput('a', 'x', 10);
    assert.deepEqual(rows(out.readRecordsToList()), [['a', 0, 10, 1, 10]]);
    input.pipeInput('a', 'x', 15);
    // The right window of the record at 10 now holds 15; the left window of 15 holds both.
    assert.deepEqual(rows(out.readRecordsToList()), [
      ['a', 11, 21, 1, 15],
      ['a', 5, 15, 2, 15],
    ]);
    input.pipeInput('a', 'x', 12); // out of order, within grace (stream time 15, close 10)
    assert.deepEqual(rows(out.readRecordsToList()), [
      ['a', 5, 15, 3, 15],
      ['a', 11, 21, 2, 15],
      ['a', 2, 12, 2, 12],
      ['a', 13, 23, 1, 15],
    ]);
    input.pipeInput('a', 'x', 40);
    assert.deepEqual(rows(out.readRecordsToList()), [['a', 30, 40, 1, 40]]);
    input.pipeInput('a', 'x', 3); // every window of 3 ends before 40 - 5: dropped
    assert.equal(out.isEmpty(), true);
    assert.equal(dropped(driver), 1);
    driver.close();
  });

  it('puts records earlier than the time difference into the window [0, d]', () => {
    const tw = WindowedSerdes.timeWindowedSerdeFrom(S, 10);
    const { driver, input } = drive((s) =>
      s
        .groupByKey()
        .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10))
        .reduce((a, v) => a + v)
        .toStream()
        .to('out', { key: tw, value: S }),
    );
    input.pipeInput('a', 'p', 2);
    input.pipeInput('a', 'q', 5);
    assert.deepEqual(rows(driver.createOutputTopic('out', tw, S).readRecordsToList()), [
      ['a', 0, 10, 'p', 2],
      ['a', 3, 13, 'q', 5],
      ['a', 0, 10, 'pq', 5],
    ]);
    driver.close();
  });
});

describe('window and session stores', () => {
  function context(
    log: ChangelogRecord[],
    restorers: ((b: readonly ChangelogRecord[]) => void)[],
  ): StateStoreContext {
    return {
      applicationId: 'app',
      taskId: { subtopology: 0, partition: 0 },
      recordTimestampMs: () => 42,
      logChange: (_store, change) => log.push(change),
      register: (_store, restore) => restorers.push(restore),
    };
  }

  it("logs Kafka's window store keys (key, start, seq) and session keys (key, end, start), and restores from them", () => {
    const log: ChangelogRecord[] = [];
    const window = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 100, 10, false), S, L).build();
    window.init(context(log, []));
    window.put('k', 7, 20);
    const session = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 100), S, L).build();
    session.init(context(log, []));
    session.put({ key: 'k', window: { start: 3, end: 9 } }, 5);
    session.remove({ key: 'k', window: { start: 3, end: 9 } });
    assert.equal(log[0]!.key.toString('hex'), `6b${'0000000000000014'}${'00000000'}`);
    assert.equal(log[0]!.value!.readBigInt64BE(0), 7n);
    assert.equal(log[1]!.key.toString('hex'), `6b${'0000000000000009'}${'0000000000000003'}`);
    assert.equal(log[2]!.value, null);

    const restorers: ((b: readonly ChangelogRecord[]) => void)[] = [];
    const again = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 100, 10, false), S, L).build();
    again.init(context([], restorers));
    restorers[0]!([log[0]!]);
    assert.equal(again.fetch('k', 20), 7);
    const sessions = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 100), S, L).build();
    sessions.init(context([], restorers));
    restorers[1]!([log[1]!]);
    assert.equal(sessions.fetchSession('k', 3, 9), 5);
    restorers[1]!([log[2]!]);
    assert.equal(sessions.fetchSession('k', 3, 9), null);
  });

  it('drops windows past retention by the largest start put, and keeps every duplicate when asked', () => {
    const window = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 20, 10, false), S, L)
      .withLoggingDisabled()
      .build();
    window.init(context([], []));
    window.put('k', 1, 0);
    window.put('k', 2, 10);
    window.put('k', 3, 20); // 0 <= 20 - 20: window 0 expired
    assert.equal(window.fetch('k', 0), null);
    assert.deepEqual(
      window.all().map((e) => e.value),
      [2, 3],
    );
    window.put('k', 9, 0); // too old to store
    assert.equal(window.fetch('k', 0), null);

    const log: ChangelogRecord[] = [];
    const dups = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('d', 20, 10, true), S, L).build();
    dups.init(context(log, []));
    dups.put('k', 1, 5);
    dups.put('k', 2, 5);
    assert.deepEqual(
      dups.fetch('k', 0, 10).map((e) => e.value),
      [1, 2],
    );
    assert.deepEqual(
      log.map((c) => c.key.readInt32BE(c.key.length - 4)),
      [1, 2],
    );
  });
});
