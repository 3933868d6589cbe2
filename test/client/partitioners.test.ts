import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultPartitioner,
  murmur2,
  murmur2Partition,
  murmur2RandomPartitioner,
  roundRobinPartitioner,
  toPositive,
} from '../../src/client/index.js';

describe('murmur2', () => {
  it('matches the Java client (Kafka UtilsTest.testMurmur2)', () => {
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ];
    for (const [s, expected] of cases) assert.equal(murmur2(Buffer.from(s)), expected, s);
  });

  it('hashes every tail length (0 to 3 trailing bytes)', () => {
    // Byte arrays {}, {0}, {0,1}, {0,1,2}, {0,1,2,3}; expected values computed by a separate
    // line-by-line transcription of Utils.murmur2 using unbounded integers masked to 32 bits.
    const expected = [275646681, 375494588, -2112343979, 51419311, 1916244640];
    const hashes = [0, 1, 2, 3, 4].map((n) => murmur2(Uint8Array.from({ length: n }, (_, i) => i)));
    assert.deepEqual(hashes, expected);
  });

  it('toPositive clears the sign bit like Utils.toPositive', () => {
    assert.equal(toPositive(-1), 0x7fffffff);
    assert.equal(toPositive(-2147483648), 0);
    assert.equal(toPositive(5), 5);
  });

  it('places keys as toPositive(murmur2(key)) % partitions', () => {
    assert.equal(murmur2Partition(Buffer.from('21'), 10), toPositive(-973932308) % 10);
    assert.equal(murmur2Partition(Buffer.from('foobar'), 7), toPositive(-790332482) % 7);
  });
});

function input(key: Buffer | null, partitionCount = 6) {
  return {
    topic: 't',
    key,
    value: null,
    partitionCount,
    availablePartitions: Array.from({ length: partitionCount }, (_, i) => i),
  };
}

describe('partitioners', () => {
  it('default: keyed records use murmur2; null keys stick to one partition until a batch fills (KIP-480)', () => {
    const p = defaultPartitioner();
    assert.equal(p(input(Buffer.from('foobar'))), murmur2Partition(Buffer.from('foobar'), 6));
    const first = p(input(null));
    for (let i = 0; i < 20; i++) assert.equal(p(input(null)), first);
    p.onNewBatch('t', 6, first);
    const second = p(input(null));
    assert.notEqual(second, first);
    assert.equal(p(input(null)), second);
  });

  it('murmur2_random: murmur2 for keys, spread over partitions for null keys', () => {
    const p = murmur2RandomPartitioner();
    assert.equal(p(input(Buffer.from('21'))), murmur2Partition(Buffer.from('21'), 6));
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(p(input(null)));
    assert.equal(seen.size, 6);
  });

  it('round robin cycles through partitions', () => {
    const p = roundRobinPartitioner();
    assert.deepEqual(
      Array.from({ length: 7 }, () => p(input(Buffer.from('k'), 3))),
      [0, 1, 2, 0, 1, 2, 0],
    );
  });
});
