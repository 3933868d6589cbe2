import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { kafkaDate } from '../../src/cli/consumer-perf-test-command.js';
import { latencySummary, ProducerPerfStats } from '../../src/cli/producer-perf-stats.js';
import { ProgressLine } from '../../src/cli/progress-line.js';
import { SendWindow } from '../../src/cli/send-window.js';
import { strom } from './cli-helpers.js';

describe('strom producer-perf-test and consumer-perf-test', () => {
  let broker: StartedBroker;
  let bs: string[];
  before(async () => {
    broker = await startBroker({ config: { 'num.partitions': '2' } });
    bs = ['--bootstrap-server', broker.bootstrap];
  });
  after(() => broker.close());

  it("sends the records and prints Kafka's summary line only (no progress in a pipe)", async () => {
    const r = await strom([
      'producer-perf-test',
      '--topic',
      'perf',
      '--num-records',
      '3000',
      '--record-size',
      '100',
      '--throughput',
      '-1',
      '--producer-props',
      'acks=1',
      'linger.ms=2',
      ...bs,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^3000 records sent, \d+\.\d{6} records\/sec \(\d+\.\d{2} MB\/sec\), \d+\.\d{2} ms avg latency, \d+\.\d{2} ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.\n$/,
    );
    assert.ok(
      !r.stdout.includes('\r') && !r.stdout.includes('\u001b'),
      'no progress line or colour in a pipe',
    );
    // Every record reported sent is in the topic, once.
    const offsets = await strom(['get-offsets', '--topic', 'perf', ...bs]);
    const total = offsets.stdout
      .trim()
      .split('\n')
      .reduce((sum, line) => sum + Number(line.split(':')[2]), 0);
    assert.equal(total, 3000);
    const throttled = await strom([
      'producer-perf-test',
      '--topic',
      'perf',
      '--num-records',
      '20',
      '--record-size',
      '10',
      '--throughput',
      '200',
      '--json',
      ...bs,
    ]);
    assert.equal(JSON.parse(throttled.stdout).records, 20);
    const bad = await strom([
      'producer-perf-test',
      '--topic',
      'perf',
      '--num-records',
      '1',
      '--record-size',
      '1',
      '--producer-props',
      'no.such=1',
      ...bs,
    ]);
    assert.equal(bad.code, 2);
  });

  it("reads them back and prints Kafka's header and figures", async () => {
    const r = await strom(['consumer-perf-test', '--topic', 'perf', '--messages', '3020', ...bs]);
    assert.equal(r.code, 0, r.stderr);
    const [header, figures, extra] = r.stdout.split('\n');
    assert.equal(
      header,
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
    );
    const cells = figures!.split(', ');
    assert.equal(cells.length, 10);
    assert.match(cells[0]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}$/);
    assert.equal(cells[2], ((3000 * 100 + 20 * 10) / 1048576).toFixed(4));
    assert.equal(cells[4], '3020');
    assert.equal(extra, '');
    const grouped = await strom([
      'consumer-perf-test',
      '--topic',
      'perf',
      '--messages',
      '10',
      '--group',
      'perf-readers',
      '--json',
      ...bs,
    ]);
    assert.equal(JSON.parse(grouped.stdout).dataConsumedMsgs, 10);
    const short = await strom([
      'consumer-perf-test',
      '--topic',
      'perf',
      '--messages',
      '5000',
      '--timeout',
      '1000',
      ...bs,
    ]);
    assert.equal(short.code, 0);
    assert.match(short.stderr, /Exiting before consuming the expected number of messages/);
  });

  it('keeps count, average and maximum over every record and percentiles over at most 500,000 samples', () => {
    const progress = new ProgressLine();
    const stats = new ProducerPerfStats(1_200_000, 100, progress);
    for (let i = 0; i < 1_200_000; i++) stats.record(i % 1000);
    const figures = JSON.parse(stats.summary(2000, true));
    assert.equal(figures.records, 1_200_000);
    assert.equal(figures.recordsPerSec, 600_000);
    assert.equal(figures.mbPerSec, (600_000 * 100) / 1048576);
    assert.equal(figures.avgLatencyMs, 499.5);
    assert.equal(figures.maxLatencyMs, 999);
    // One in two records sampled (1,200,000 / 500,000 rounds down to 2): the even latencies.
    assert.deepEqual([figures.p50Ms, figures.p99Ms], [500, 990]);
    assert.match(
      stats.summary(2000, false),
      /^1200000 records sent, 600000\.000000 records\/sec \(57\.22 MB\/sec\), 499\.50 ms avg latency, 999\.00 ms max latency, 500 ms 50th, \d+ ms 95th, 990 ms 99th, \d+ ms 99\.9th\.\n$/,
    );
  });

  it('counts sends in flight, wakes a waiter when they drop, and keeps the first failure', async () => {
    const w = new SendWindow(3);
    for (let i = 0; i < 3; i++) w.add();
    assert.equal(w.full, true);
    let woken = false;
    const waiting = w.below(1).then(() => {
      woken = true;
    });
    w.settle(null);
    await Promise.resolve();
    assert.equal(woken, false);
    w.settle(null);
    await waiting;
    assert.equal(w.full, false);
    const first = new Error('first');
    w.settle(first);
    w.add();
    w.settle(new Error('second'));
    assert.equal(w.failure, first);
    w.add();
    await w.below(0); // a failure wakes at once: nothing more will be sent
  });

  it('computes percentiles and formats dates as Kafka does', () => {
    const s = latencySummary(Float64Array.from({ length: 1000 }, (_, i) => i + 0.5));
    assert.deepEqual([s.p50, s.p95, s.p99, s.p999, s.max, s.avg], [500, 950, 990, 999, 999.5, 500]);
    assert.match(kafkaDate(0), /^19(69|70)-\d\d-\d\d \d\d:\d\d:00:000$/);
  });
});
