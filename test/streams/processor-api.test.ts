import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  Serdes,
  Stores,
  Topology,
  TopologyTestDriver,
} from '../../src/streams/index.js';

const S = Serdes.String;
const L = Serdes.Long;

/** Counts per key in a store and emits all counts on every punctuation (Kafka's WordCountProcessorDemo). */
function countingProcessor(
  type: 'STREAM_TIME' | 'WALL_CLOCK_TIME',
  log: string[],
): Processor<string, string, string, number> {
  let context: ProcessorContext<string, number>;
  let store: KeyValueStore<string, number>;
  return {
    init(c) {
      context = c;
      store = c.getStateStore('counts');
      c.schedule(1000, type, (timestamp) => {
        log.push(`punctuate ${timestamp}`);
        for (const { key, value } of store.all()) context.forward({ key, value, timestamp, headers: [] });
      });
    },
    process(record) {
      const m = context.recordMetadata();
      log.push(`process ${record.key} @${record.timestamp} from ${m?.topic}-${m?.partition}@${m?.offset}`);
      store.put(record.key, (store.get(record.key) ?? 0) + 1);
    },
  };
}

function topology(type: 'STREAM_TIME' | 'WALL_CLOCK_TIME', log: string[]): Topology {
  return new Topology()
    .addSource('source', 'in', { key: S, value: S })
    .addProcessor('count', () => countingProcessor(type, log), 'source')
    .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), S, L), 'count')
    .addSink('sink', 'out', 'count', { key: S, value: L });
}

describe('Processor API (TopologyTestDriver)', () => {
  it('stream-time punctuation fires at the first record, then on each interval boundary the stream time crosses', () => {
    const log: string[] = [];
    const driver = new TopologyTestDriver(topology('STREAM_TIME', log), { initialWallClockTimeMs: 0 });
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 500);
    input.pipeInput('b', 'x', 999);
    input.pipeInput('a', 'x', 200); // late: stream time stays 999
    // Due at 1000, 2000 and 3000: one punctuation, and the next is due at 4000 (Kafka's
    // PunctuationSchedule.next skips the missed ones and stays on the interval's multiples).
    input.pipeInput('a', 'x', 3500);
    input.pipeInput('b', 'x', 4400);
    input.pipeInput('b', 'x', 4500);
    assert.deepEqual(log, [
      'process a @500 from in-0@0',
      'punctuate 500',
      'process b @999 from in-0@1',
      'process a @200 from in-0@2',
      'process a @3500 from in-0@3',
      'punctuate 3500',
      'process b @4400 from in-0@4',
      'punctuate 4400',
      'process b @4500 from in-0@5',
    ]);
    const out = driver.createOutputTopic('out', S, L).readRecordsToList();
    assert.deepEqual(
      out.map((r) => `${r.key}=${r.value}@${r.timestamp}`),
      ['a=1@500', 'a=3@3500', 'b=1@3500', 'a=3@4400', 'b=2@4400'],
    );
    // Wall-clock time does not move stream-time punctuators.
    driver.advanceWallClockTime(10_000);
    assert.equal(log.length, 9);
    assert.equal(driver.getKeyValueStore<string, number>('counts')!.get('b'), 3);
    driver.close();
  });

  it('wall-clock punctuation fires one interval after init and then as the mocked clock advances', () => {
    const log: string[] = [];
    const driver = new TopologyTestDriver(topology('WALL_CLOCK_TIME', log), {
      initialWallClockTimeMs: 10_000,
    });
    driver.createInputTopic('in', S, S).pipeInput('a', 'x', 1);
    driver.advanceWallClockTime(999);
    assert.deepEqual(log, ['process a @1 from in-0@0']);
    driver.advanceWallClockTime(1);
    driver.advanceWallClockTime(2500);
    assert.deepEqual(log, ['process a @1 from in-0@0', 'punctuate 11000', 'punctuate 13500']);
    assert.deepEqual(driver.createOutputTopic('out', S, L).readKeyValuesToList(), [
      { key: 'a', value: 1 },
      { key: 'a', value: 1 },
    ]);
    assert.equal(driver.getKeyValueStore<string, number>('counts')!.get('a'), 1);
    driver.close();
  });

  it('refuses a store the processor is not connected to', () => {
    const t = new Topology()
      .addSource('source', 'in', { key: S, value: S })
      .addProcessor<string, string, never, never>(
        'nosy',
        () => ({
          init: (c) => {
            c.getStateStore('other');
          },
          process() {},
        }),
        'source',
      )
      .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('other'), S, S));
    assert.throws(() => new TopologyTestDriver(t), { code: 'STORE_UNAVAILABLE' });
  });

  it('forwards to a named child only', () => {
    const t = new Topology()
      .addSource('source', 'in', { key: S, value: S })
      .addProcessor<string, string, string, string>(
        'router',
        () => {
          let context: ProcessorContext<string, string>;
          return {
            init: (c) => {
              context = c;
            },
            process: (r) => context.forward(r, r.value === 'left' ? 'left' : 'right'),
          };
        },
        'source',
      )
      .addProcessor('left', () => passThrough(), 'router')
      .addProcessor('right', () => passThrough(), 'router')
      .addSink('left-sink', 'left-out', 'left', { key: S, value: S })
      .addSink('right-sink', 'right-out', 'right', { key: S, value: S });
    const driver = new TopologyTestDriver(t);
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('1', 'left');
    input.pipeInput('2', 'right');
    assert.deepEqual(driver.createOutputTopic('left-out', S, S).readValuesToList(), ['left']);
    assert.deepEqual(driver.createOutputTopic('right-out', S, S).readValuesToList(), ['right']);
    driver.close();
  });

  it('stores log every change to <application.id>-<store>-changelog on the task partition', () => {
    const log: string[] = [];
    const driver = new TopologyTestDriver(topology('STREAM_TIME', log), { applicationId: 'app' });
    driver.createInputTopic('in', S, S).pipeInput('a', 'x', 7);
    // The driver hides changelogs from outputs, as Kafka's does; the task names them.
    assert.ok(!driver.producedTopicNames().has('app-counts-changelog'));
    assert.throws(
      () => driver.createOutputTopic('never-written', S, S).readRecord(),
      /Empty topic: never-written/,
    );
    driver.close();
  });
});

function passThrough(): Processor<string, string, string, string> {
  let context: ProcessorContext<string, string>;
  return {
    init(c) {
      context = c;
    },
    process(r) {
      context.forward(r);
    },
  };
}
