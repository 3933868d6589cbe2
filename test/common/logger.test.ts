import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonLinesLogger, noopLogger, prettyLinesLogger } from '../../src/common/logger.js';

describe('logger', () => {
  it('writes one JSON object per line with bound fields, filtered by level', () => {
    const lines: string[] = [];
    const log = jsonLinesLogger(
      (l) => lines.push(l),
      'info',
      { nodeId: 1 },
      () => 42,
    );
    log.debug({}, 'hidden');
    log.child({ topic: 't', partition: 0 }).warn({ offset: 7n, err: new RangeError('boom') }, 'slow');
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.endsWith('\n'));
    assert.deepEqual(JSON.parse(lines[0]!), {
      time: 42,
      level: 'warn',
      msg: 'slow',
      nodeId: 1,
      topic: 't',
      partition: 0,
      offset: '7',
      err: { name: 'RangeError', message: 'boom' },
    });
  });

  it('writes readable lines for a terminal: time, level, message, then key=value fields', () => {
    const lines: string[] = [];
    const at = new Date(2026, 0, 31, 9, 5, 7, 42).getTime();
    const log = prettyLinesLogger(
      (l) => lines.push(l),
      'info',
      { component: 'network' },
      () => at,
    );
    log.debug({}, 'hidden');
    log.info({ listener: 'PLAINTEXT', port: 9092 }, 'listening');
    log
      .child({ topic: 'my topic' })
      .error({ offset: 7n, err: Object.assign(new Error('boom'), { code: 'EX' }) }, 'failed');
    assert.deepEqual(lines, [
      '09:05:07.042 INFO  listening component=network listener=PLAINTEXT port=9092\n',
      '09:05:07.042 ERROR failed component=network topic="my topic" offset=7 err="Error: boom (EX)"\n',
    ]);
    const coloured: string[] = [];
    prettyLinesLogger(
      (l) => coloured.push(l),
      'info',
      {},
      () => at,
      true,
    ).warn({}, 'slow');
    assert.equal(coloured[0], '09:05:07.042 \u001b[33mWARN \u001b[39m slow\n');
  });

  it('the no-op logger and its children discard everything', () => {
    assert.equal(noopLogger.child({ a: 1 }), noopLogger);
    noopLogger.error({}, 'nothing');
  });
});
