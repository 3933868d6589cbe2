import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allErrors, ErrorCode, errorInfo } from '../../src/protocol/error-codes.js';

describe('Kafka error codes', () => {
  it('has unique codes and names, matching the ErrorCode constants', () => {
    const codes = new Set<number>();
    const names = new Set<string>();
    for (const e of allErrors()) {
      assert.ok(!codes.has(e.code), `duplicate code ${e.code}`);
      assert.ok(!names.has(e.name), `duplicate name ${e.name}`);
      codes.add(e.code);
      names.add(e.name);
      assert.equal(ErrorCode[e.name as keyof typeof ErrorCode], e.code);
    }
  });

  it('knows the codes clients depend on, with their retriability', () => {
    assert.deepEqual(
      [
        ErrorCode.NONE,
        ErrorCode.OFFSET_OUT_OF_RANGE,
        ErrorCode.CORRUPT_MESSAGE,
        ErrorCode.NOT_LEADER_OR_FOLLOWER,
      ],
      [0, 1, 2, 6],
    );
    assert.equal(errorInfo(ErrorCode.NOT_LEADER_OR_FOLLOWER).retriable, true);
    assert.equal(errorInfo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).retriable, true);
    assert.equal(errorInfo(ErrorCode.TOPIC_AUTHORIZATION_FAILED).retriable, false);
    assert.equal(errorInfo(ErrorCode.UNSUPPORTED_VERSION).name, 'UNSUPPORTED_VERSION');
    assert.equal(errorInfo(ErrorCode.UNKNOWN_SERVER_ERROR).code, -1);
    assert.equal(errorInfo(9999).name, 'UNKNOWN_ERROR_9999');
  });
});
