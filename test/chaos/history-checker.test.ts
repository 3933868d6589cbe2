import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkHistory,
  formatReport,
  type HistoryEvent,
  type ProduceOutcome,
  parseHistoryLines,
  parseValue,
} from './history-checker.js';

function sent(value: string, partition: number, outcome: ProduceOutcome, offset?: number): HistoryEvent {
  return {
    type: 'produce',
    client: value.split(':')[0]!,
    value,
    partition,
    outcome,
    ...(offset === undefined ? {} : { offset: String(offset) }),
  };
}

function final(value: string, partition: number, offset: number): HistoryEvent {
  return { type: 'final', client: 'checker', value, partition, offset: String(offset) };
}

function read(value: string, partition: number, offset: number): HistoryEvent {
  return { type: 'read', client: 'c0', value, partition, offset: String(offset) };
}

describe('history checker', () => {
  it('a clean history is valid, unknown outcomes counted apart', () => {
    const r = checkHistory([
      sent('p0:0', 0, 'acked', 0),
      sent('p0:1', 0, 'unknown'),
      sent('p0:2', 0, 'unknown'),
      sent('p0:3', 0, 'failed'),
      sent('p0:4', 0, 'acked', 2),
      read('p0:0', 0, 0),
      final('p0:0', 0, 0),
      final('p0:1', 0, 1),
      final('p0:4', 0, 2),
    ]);
    assert.equal(r.valid, true, formatReport(r));
    assert.deepEqual(
      { ...r.counts },
      {
        attempts: 5,
        acked: 2,
        failed: 1,
        unknown: 2,
        unknownWritten: 1,
        reads: 1,
        finalRecords: 3,
        lost: 0,
        duplicated: 0,
        reordered: 0,
        offsetChanged: 0,
        unexpected: 0,
      },
    );
  });

  it('an acked record missing from the final read is lost', () => {
    const r = checkHistory([sent('p0:0', 0, 'acked', 0), sent('p0:1', 0, 'acked', 1), final('p0:0', 0, 0)]);
    assert.equal(r.valid, false);
    assert.equal(r.counts.lost, 1);
    assert.deepEqual(r.lost, [{ value: 'p0:1', acked: { partition: 0, offset: '1' } }]);
    assert.match(formatReport(r), /lost p0:1 \(acked at 0@1/);
  });

  it('a record a consumer read that the final read lacks is lost, even if its send was unknown', () => {
    const r = checkHistory([sent('p0:0', 0, 'unknown'), read('p0:0', 0, 0)]);
    assert.equal(r.counts.lost, 1);
    assert.deepEqual(r.lost, [{ value: 'p0:0', readAt: { partition: 0, offset: '0' } }]);
  });

  it('one value at two offsets is duplicated', () => {
    const r = checkHistory([sent('p0:0', 0, 'acked', 0), final('p0:0', 0, 0), final('p0:0', 0, 1)]);
    assert.equal(r.counts.duplicated, 1);
    assert.equal(r.duplicated[0]!.at.length, 2);
    assert.equal(r.valid, false);
  });

  it("one producer's values out of order in a partition are reordered; other producers interleave freely", () => {
    const r = checkHistory([
      sent('a:0', 0, 'acked', 1),
      sent('a:1', 0, 'acked', 0),
      sent('b:0', 0, 'acked', 2),
      sent('b:1', 0, 'acked', 3),
      final('a:1', 0, 0),
      final('a:0', 0, 1),
      final('b:0', 0, 2),
      final('b:1', 0, 3),
    ]);
    assert.equal(r.counts.reordered, 1);
    assert.deepEqual(r.reordered, [{ partition: 0, client: 'a', before: 'a:1', after: 'a:0' }]);
  });

  it('a record acked or read at another offset than the final read has changed offset', () => {
    const r = checkHistory([
      sent('p0:0', 0, 'acked', 5),
      sent('p0:1', 0, 'acked', 1),
      read('p0:1', 0, 3),
      final('p0:0', 0, 0),
      final('p0:1', 0, 1),
    ]);
    assert.equal(r.counts.offsetChanged, 2);
    assert.deepEqual(
      r.offsetChanged.map((x) => [x.value, x.by]),
      [
        ['p0:0', 'p0 ack'],
        ['p0:1', 'c0 read'],
      ],
    );
  });

  it('a value the final read holds that was never sent, or whose send failed, is unexpected', () => {
    const r = checkHistory([sent('p0:0', 0, 'failed'), final('p0:0', 0, 0), final('ghost:0', 0, 1)]);
    assert.deepEqual(
      r.unexpected.map((x) => x.why),
      ['failed', 'never sent'],
    );
  });

  it('a later acked outcome of a value replaces its unknown one', () => {
    const r = checkHistory([sent('p0:0', 0, 'unknown'), sent('p0:0', 0, 'acked', 0), final('p0:0', 0, 0)]);
    assert.equal(r.counts.acked, 1);
    assert.equal(r.counts.unknown, 0);
  });

  it('reads the drivers JSON lines and skips other output', () => {
    const events = parseHistoryLines(
      [
        '{"type":"produce","client":"py","value":"py:0","partition":1,"outcome":"acked","offset":7}',
        'some log line',
        '{"type":"produce","client":"py","value":"py:1","partition":1,"outcome":"unknown","offset":null}',
        '{"type":"read","client":"py","value":"py:0","partition":1,"offset":7}',
        '{"type":"read","client":"py","value":"py:0"}',
        '{broken',
      ].join('\n'),
    );
    assert.deepEqual(events, [
      { type: 'produce', client: 'py', value: 'py:0', partition: 1, outcome: 'acked', offset: '7' },
      { type: 'produce', client: 'py', value: 'py:1', partition: 1, outcome: 'unknown' },
      { type: 'read', client: 'py', value: 'py:0', partition: 1, offset: '7' },
    ]);
  });

  it('a consumer that did not read a partition to its end stalled, which is no safety violation', () => {
    const r = checkHistory([
      sent('p0:0', 0, 'acked', 0),
      sent('p0:1', 1, 'acked', 0),
      sent('p0:2', 1, 'acked', 1),
      read('p0:0', 0, 0),
      read('p0:1', 1, 0),
      final('p0:0', 0, 0),
      final('p0:1', 1, 0),
      final('p0:2', 1, 1),
    ]);
    assert.equal(r.valid, true);
    assert.deepEqual(r.stalled, [{ client: 'c0', partition: 1, readThrough: '1', end: '2' }]);
    assert.deepEqual(r.byClient.c0, { acked: 0, failed: 0, unknown: 0, reads: 2 });
    assert.match(formatReport(r), /liveness: c0 read partition 1 only up to 1 of 2/);
  });

  it('values name their producer and sequence number', () => {
    assert.deepEqual(parseValue('kafkajs-0:12'), { client: 'kafkajs-0', seq: 12 });
    assert.equal(parseValue('no-seq'), null);
  });
});
