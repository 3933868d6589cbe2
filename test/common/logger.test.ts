import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonLinesLogger, noopLogger } from '../../src/common/logger.js';

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

  it('the no-op logger and its children discard everything', () => {
    assert.equal(noopLogger.child({ a: 1 }), noopLogger);
    noopLogger.error({}, 'nothing');
  });
});
