import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noopLogger } from '../../src/common/logger.js';
import { DataError, RetriableError } from '../../src/connect/connect-error.js';
import { ErrorHandler, errorHandlingConfig, SKIPPED } from '../../src/connect/runtime/error-handler.js';

const record = () => ({ topic: 't', partition: 0, offset: 5n, timestamp: 1, describe: () => 'r' });

function handler(props: Record<string, string>, logged: string[] = []) {
  return new ErrorHandler(errorHandlingConfig(props), {
    connector: 'c',
    task: 0,
    logger: { ...noopLogger, error: (_f, m) => logged.push(m) },
    dlqProducer: null,
    isStopping: () => false,
  });
}

describe("ErrorHandler (Kafka's RetryWithToleranceOperator)", () => {
  it('retries a RetriableError with back-off within errors.retry.timeout', async () => {
    let calls = 0;
    const op = () => {
      if (++calls < 3) throw new RetriableError('not yet');
      return 'done';
    };
    const result = await handler({
      'errors.retry.timeout': '10000',
      'errors.retry.delay.max.ms': '10',
    }).execute('VALUE_CONVERTER', 'X', op, record);
    assert.equal(result, 'done');
    assert.equal(calls, 3);
  });

  it('does not retry other errors, nor at all with the default timeout of 0', async () => {
    let calls = 0;
    const retriable = () => {
      calls++;
      throw new RetriableError('no');
    };
    assert.equal(
      await handler({ 'errors.tolerance': 'all' }).execute('TRANSFORMATION', 'X', retriable, record),
      SKIPPED,
    );
    assert.equal(calls, 1);
    const logged: string[] = [];
    const h = handler(
      { 'errors.tolerance': 'all', 'errors.retry.timeout': '5000', 'errors.log.enable': 'true' },
      logged,
    );
    assert.equal(
      await h.execute(
        'TRANSFORMATION',
        'X',
        () => {
          throw new DataError('bad');
        },
        record,
      ),
      SKIPPED,
    );
    assert.match(
      logged[0]!,
      /Executing stage 'TRANSFORMATION' with class 'X', where consumed record is \{topic='t', partition=0, offset=5/,
    );
  });

  it('errors.tolerance=none fails with the cause once retries are spent', async () => {
    await assert.rejects(
      Promise.resolve(
        handler({}).execute(
          'KEY_CONVERTER',
          'X',
          () => {
            throw new DataError('bad key');
          },
          record,
        ),
      ),
      (err: Error) =>
        err.message === 'Tolerance exceeded in error handler' && (err.cause as Error).message === 'bad key',
    );
  });

  it('a stage that succeeds costs no promise', () => {
    assert.equal(
      handler({}).execute('KEY_CONVERTER', 'X', () => 42, record),
      42,
    );
  });
});
