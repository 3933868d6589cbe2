import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { kafkaDate } from '../../src/cli/consumer-perf-test-command.js';
import { latencySummary } from '../../src/cli/producer-perf-test-command.js';
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

  it('computes percentiles and formats dates as Kafka does', () => {
    const s = latencySummary(Float64Array.from({ length: 1000 }, (_, i) => i + 0.5));
    assert.deepEqual([s.p50, s.p95, s.p99, s.p999, s.max, s.avg], [500, 950, 990, 999, 999.5, 500]);
    assert.match(kafkaDate(0), /^19(69|70)-\d\d-\d\d \d\d:\d\d:00:000$/);
  });
});
