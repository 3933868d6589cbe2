import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FileHandleCache } from '../../src/storage/file-handle-cache.js';
import { simpleBatch } from './batch-builder.js';
import { openLog, readAll, tempDir } from './helpers.js';

describe('FileHandleCache', () => {
  it('keeps open files under its bound while many partitions are used, reopening on demand', async () => {
    const cache = new FileHandleCache(6);
    const logs = Array.from({ length: 12 }, () => openLog(tempDir(), { segmentBytes: 600 }, { cache }));
    for (let round = 0; round < 4; round++) {
      for (const log of logs) {
        await log.append(simpleBatch(2, 60));
      }
    }
    // Rolls flush finished segments in the background, pinning their files until the fsync ends.
    await Promise.all(logs.map((l) => l.flush()));
    assert.ok(cache.openCount <= cache.maxOpen, `${cache.openCount} files open`);
    for (const log of logs) {
      assert.equal(readAll(log).length, 4);
      const slice = log.read({ fetchOffset: 0, maxBytes: 1 << 20 }).slices[0]!;
      assert.equal((await slice.read()).length, slice.length);
      assert.ok(cache.openCount <= cache.maxOpen);
    }
    for (const log of logs) await log.close();
  });
});
