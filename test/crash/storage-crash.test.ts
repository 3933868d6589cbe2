import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  setBaseOffset,
  splitBatches,
  validateBatch,
} from '../../src/protocol/records/record-batch-header.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { rng, runAndKill } from './crash-harness.js';
import { CRASH_SEGMENT_BYTES, CRASH_TOPIC, crashBatch } from './crash-workload.js';

const CHILD = fileURLToPath(new URL('./storage-crash-child.js', import.meta.url));

/** Opens the log as a restarted broker would and checks everything acknowledged survived. */
async function verify(
  dir: string,
  acked: Map<number, number>,
  context: string,
): Promise<{ end: number; truncated: number }> {
  const manager = LogManager.open({
    logDirs: [dir],
    clusterId: 'crash-test',
    nodeId: 1,
    defaultConfig: { segmentBytes: CRASH_SEGMENT_BYTES },
  });
  const log = manager.getLog(CRASH_TOPIC)!;
  for (const [offset, seq] of acked) {
    const read = log.read({ fetchOffset: offset, maxBytes: 1 });
    const [got] = splitBatches(read.slices[0]!.readSync()).batches;
    const expected = crashBatch(seq);
    setBaseOffset(expected, BigInt(offset));
    assert.ok(
      got?.equals(expected) === true,
      `${context}: acknowledged offset ${offset} (seq ${seq}) differs`,
    );
  }
  // Everything visible is whole, valid and contiguous: nothing past a torn batch survives.
  let next = 0;
  for (const seg of log.segments) {
    const bytes = fs.readFileSync(seg.log.path);
    const { batches, partialTail } = splitBatches(bytes);
    assert.equal(partialTail, 0, `${context}: partial batch left in segment ${seg.baseOffset}`);
    for (const b of batches) {
      const h = validateBatch(b);
      assert.equal(Number(h.baseOffset), next, `${context}: offsets not contiguous`);
      next = Number(h.baseOffset) + h.lastOffsetDelta + 1;
    }
  }
  assert.equal(log.logEndOffset, next, `${context}: log end offset does not follow the last batch`);
  const truncated = log.truncatedOnLoadBytes;
  await manager.shutdown();
  return { end: next, truncated };
}

/** Appends a prefix of a valid batch (cut at a random byte) to the partition's last segment. */
function tearTail(dir: string, random: () => number): void {
  const partDir = join(dir, `${CRASH_TOPIC.topic}-${CRASH_TOPIC.partition}`);
  const last = fs
    .readdirSync(partDir)
    .filter((n) => n.endsWith('.log'))
    .sort()
    .pop()!;
  const batch = crashBatch(999_999_999);
  const cut = 1 + Math.floor(random() * (batch.length - 1));
  fs.appendFileSync(join(partDir, last), batch.subarray(0, cut));
}

for (const mode of ['default', 'fsync']) {
  describe(`storage crash recovery (${mode} durability)`, () => {
    it('keeps every acknowledged batch across SIGKILLs at random moments', async (t) => {
      const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100000);
      const random = rng(seed);
      const dir = fs.mkdtempSync(join(tmpdir(), `strom-crash-${mode}-`));
      const iterations = mode === 'default' ? 12 : 10;
      const allAcked = new Map<number, number>();
      let lastEnd = 0;
      let tornTails = 0;
      for (let i = 0; i < iterations; i++) {
        const context = `seed ${seed} iteration ${i}`;
        const acked = await runAndKill(CHILD, [dir, mode, String(i * 1_000_000)], Math.floor(random() * 120));
        for (const [o, s] of acked) allAcked.set(o, s);
        // A process kill does not tear writes; a power loss can. Every third time, leave the first
        // bytes of an unacknowledged batch at the end of the active segment, as a torn write would.
        const tear = i % 3 === 1;
        if (tear) tearTail(dir, random);
        const { end, truncated } = await verify(dir, allAcked, context);
        assert.ok(end > lastEnd, `${context}: the child appended nothing`);
        lastEnd = end;
        if (tear) assert.ok(truncated > 0, `${context}: the torn tail was not truncated`);
        if (truncated > 0) tornTails++;
      }
      t.diagnostic(`seed ${seed}: ${allAcked.size} acknowledged batches, ${tornTails} torn tails truncated`);
      assert.ok(allAcked.size > iterations, `seed ${seed}: the children acknowledged too little to test`);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });
}
