import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { validateBatch } from '../../src/protocol/records/record-batch-header.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { decodeBatch } from '../storage/batch-builder.js';
import { readAll } from '../storage/helpers.js';
import { rng, runAndKill } from './crash-harness.js';

const CHILD = fileURLToPath(new URL('./compaction-crash-child.js', import.meta.url));
const TOPIC = { topic: 'compact-crash', partition: 0 };

describe('compaction crash safety', () => {
  it('keeps the latest acknowledged value of every key when killed while cleaning and swapping', async (t) => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100000);
    const random = rng(seed);
    const dir = fs.mkdtempSync(join(tmpdir(), 'strom-compact-crash-'));
    /** Latest acknowledged (offset, seq) per key. */
    const latest = new Map<string, { offset: number; seq: number }>();
    let seqBase = 0;
    let ackedTotal = 0;
    let recordsInLog = 0;
    let offsetsSpanned = 0;
    for (let i = 0; i < 8; i++) {
      const context = `seed ${seed} iteration ${i}`;
      // The child cleans after every 25 appends: arming the kill after the 26th means every run has
      // finished one cleaner pass and may be killed in the middle of the next, however slow the machine.
      const acked = await runAndKill(CHILD, [dir, String(seqBase)], Math.floor(random() * 150), 26);
      seqBase += 1_000_000;
      ackedTotal += acked.size;
      for (const [offset, seq] of acked) {
        const key = `key-${seq % 37}`;
        const prev = latest.get(key);
        if (prev === undefined || prev.offset < offset) latest.set(key, { offset, seq });
      }
      const m = LogManager.open({ logDirs: [dir], clusterId: 'crash-test', nodeId: 1 });
      const log = m.getLog(TOPIC)!;
      const names = fs.readdirSync(join(dir, 'compact-crash-0'));
      assert.ok(!names.some((n) => /\.(swap|cleaned|deleted)$/.test(n)), `${context}: leftovers ${names}`);
      const inLog = new Map<string, { offset: number; value: string | null }>();
      let prev = -1;
      recordsInLog = 0;
      for (const b of readAll(log)) {
        validateBatch(b);
        for (const r of decodeBatch(b)) {
          assert.ok(r.offset > prev, `${context}: offsets not increasing`);
          prev = r.offset;
          recordsInLog++;
          inLog.set(r.key!, { offset: r.offset, value: r.value });
        }
      }
      for (const [key, ack] of latest) {
        const found = inLog.get(key);
        assert.ok(
          found !== undefined && found.offset >= ack.offset,
          `${context}: ${key} lost offset ${ack.offset}`,
        );
        if (found.offset === ack.offset) assert.equal(found.value, `value-${ack.seq}`, `${context}: ${key}`);
      }
      offsetsSpanned = prev + 1 - log.logStartOffset;
      await m.shutdown();
    }
    t.diagnostic(
      `seed ${seed}: ${latest.size} keys, ${ackedTotal} records acknowledged, ${recordsInLog} left`,
    );
    // Cleaning removes superseded records without moving the log start offset: with 37 keys and
    // every run past a cleaner pass, the log holds fewer records than the offsets it spans.
    assert.ok(recordsInLog < offsetsSpanned, `seed ${seed}: the cleaner did not run`);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
