import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConcurrencyLimit } from '../../src/common/concurrency-limit.js';
import type { Record } from '../../src/protocol/records/record.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { CompressionType } from '../../src/protocol/records/record-batch-header.js';
import { validateAndAssign } from '../../src/storage/append-validator.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../src/storage/log-config.js';
import { precheckProducedBatches } from '../../src/storage/produced-batch-precheck.js';
import { bombBatch } from '../helpers/compressed-batch.js';

const NOW = Date.now();

function records(n: number, valueBytes: number, key: (i: number) => Buffer | null): Record[] {
  return Array.from({ length: n }, (_, i) => ({
    offsetDelta: i,
    timestampDelta: 0,
    key: key(i),
    value: Buffer.alloc(valueBytes, i),
    headers: [],
  }));
}

async function precheck(batch: Buffer, config: LogConfig, decompressedBytesMax = 64 << 20) {
  const r = precheckProducedBatches(batch, config, { nowMs: NOW, decompressedBytesMax });
  if (typeof r === 'function') {
    await r();
    return 'walked';
  }
  return r;
}

describe('precheckProducedBatches', () => {
  const config = DEFAULT_LOG_CONFIG;

  it('leaves uncompressed batches to validateAndAssign and checks small compressed ones at once', async () => {
    const plain = encodeRecordBatch({ baseTimestamp: BigInt(NOW), records: records(3, 10, () => null) });
    assert.equal(await precheck(plain, config), 'none');
    const small = encodeRecordBatch({
      compression: CompressionType.Lz4,
      baseTimestamp: BigInt(NOW),
      records: records(100, 100, () => null),
    });
    assert.equal(await precheck(small, config), 'done');
    const v = validateAndAssign(small, config, {
      nowMs: NOW,
      nextOffset: 5,
      origin: 'client',
      leaderEpoch: 0,
      prechecked: true,
    });
    assert.equal(v.firstOffset, 5);
    assert.equal(v.lastOffset, 104);
  });

  it('walks a batch expanding past 1 MiB piece by piece, with the same record checks', async () => {
    const large = (key: (i: number) => Buffer | null) =>
      encodeRecordBatch({
        compression: CompressionType.Zstd,
        baseTimestamp: BigInt(NOW),
        records: records(40, 64 * 1024, key),
      });
    assert.equal(
      await precheck(
        large(() => Buffer.from('k')),
        config,
      ),
      'walked',
    );
    const compacted: LogConfig = { ...config, cleanupPolicy: 'compact' };
    await assert.rejects(
      precheck(
        large((i) => (i === 30 ? null : Buffer.from('k'))),
        compacted,
      ),
      {
        code: 'INVALID_RECORD',
        message: /compacted topic/,
      },
    );
    const old: LogConfig = { ...config, messageTimestampBeforeMaxMs: 1000 };
    const stale = encodeRecordBatch({
      compression: CompressionType.Gzip,
      baseTimestamp: BigInt(NOW - 60_000),
      records: records(40, 64 * 1024, () => null),
    });
    await assert.rejects(precheck(stale, old), { code: 'INVALID_TIMESTAMP' });
  });

  it('answers MESSAGE_TOO_LARGE past the cap, CORRUPT_MESSAGE for a bad CRC', async () => {
    const bomb = bombBatch(CompressionType.Zstd, 32 << 20);
    await assert.rejects(precheck(bomb, config, 16 << 20), { code: 'MESSAGE_TOO_LARGE' });
    assert.equal(await precheck(bomb, config, 33 << 20), 'walked');
    const bad = Buffer.from(bomb);
    bad[bad.length - 1]! ^= 1;
    await assert.rejects(precheck(bad, config), { code: 'CORRUPT_MESSAGE' });
  });

  it('runs walks through the concurrency limit', async () => {
    const limit = new ConcurrencyLimit(1);
    const bomb = bombBatch(CompressionType.Zstd, 16 << 20);
    const walks = [1, 2, 3].map(() => {
      const r = precheckProducedBatches(bomb, config, { nowMs: NOW, decompressedBytesMax: 64 << 20, limit });
      assert.equal(typeof r, 'function');
      return (r as () => Promise<void>)();
    });
    assert.equal(limit.active, 1);
    assert.equal(limit.queued, 2);
    await Promise.all(walks);
    assert.equal(limit.active, 0);
  });
});
