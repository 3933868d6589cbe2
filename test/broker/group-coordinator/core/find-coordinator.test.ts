import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CoordinatorLookup,
  coordinatorPartitionFor,
  findCoordinator,
  javaStringHashCode,
} from '../../../../src/broker/group-coordinator/core/find-coordinator.js';
import { ErrorCode } from '../../../../src/protocol/error-codes.js';

describe('coordinator partition', () => {
  it('matches Java String.hashCode on known values', () => {
    assert.equal(javaStringHashCode(''), 0);
    assert.equal(javaStringHashCode('a'), 97);
    assert.equal(javaStringHashCode('hello'), 99162322);
    // The classic string whose hash is Integer.MIN_VALUE.
    assert.equal(javaStringHashCode('polygenelubricants'), -2147483648);
    // UTF-16 code units, surrogate pairs included.
    assert.equal(javaStringHashCode('é'), 233);
    assert.equal(javaStringHashCode('😀'), 1772899);
    assert.equal(javaStringHashCode('my-consumer-group'), 1513705513);
  });

  it('is Utils.abs(hashCode) % partitions, with abs(MIN_VALUE) = 0', () => {
    assert.equal(coordinatorPartitionFor('polygenelubricants', 50), 0);
    assert.equal(coordinatorPartitionFor('hello', 50), 22);
    assert.equal(coordinatorPartitionFor('test-group', 50), 12);
    assert.equal(coordinatorPartitionFor('console-consumer-12345', 50), 6);
    assert.equal(coordinatorPartitionFor('a', 50), 47);
    assert.equal(coordinatorPartitionFor('😀', 50), 49);
  });
});

describe('FindCoordinator', () => {
  const lookup: CoordinatorLookup = {
    partitionCount: (keyType) => (keyType === 0 ? 50 : 10),
    leaderOf: (_keyType, partition) =>
      partition === 22 ? null : { nodeId: partition % 3, host: 'h', port: 9092 },
  };

  it('answers v0-3 in the top-level fields', () => {
    const r = findCoordinator(3, { key: 'test-group', keyType: 0, coordinatorKeys: [] }, lookup);
    assert.deepEqual(
      { errorCode: r.errorCode, nodeId: r.nodeId, host: r.host, port: r.port, n: r.coordinators.length },
      { errorCode: 0, nodeId: 0, host: 'h', port: 9092, n: 0 },
    );
  });

  it('batches keys from v4 (KIP-699), each with its own error', () => {
    const r = findCoordinator(4, { key: '', keyType: 0, coordinatorKeys: ['test-group', 'hello'] }, lookup);
    assert.deepEqual(
      r.coordinators.map((c) => [c.key, c.nodeId, c.errorCode]),
      [
        ['test-group', 0, 0],
        ['hello', -1, ErrorCode.COORDINATOR_NOT_AVAILABLE],
      ],
    );
  });

  it('uses the transaction partition count for transactional ids', () => {
    const r = findCoordinator(4, { key: '', keyType: 1, coordinatorKeys: ['a'] }, lookup);
    assert.equal(r.coordinators[0]!.nodeId, (97 % 10) % 3);
  });

  it('rejects unknown key types with INVALID_REQUEST', () => {
    const r = findCoordinator(6, { key: '', keyType: 2, coordinatorKeys: ['s'] }, lookup);
    assert.equal(r.coordinators[0]!.errorCode, ErrorCode.INVALID_REQUEST);
  });
});
