import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { splitBatches, validateBatch } from '../../src/protocol/records/record-batch-header.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { rng } from './crash-harness.js';
import { FOLLOWER_SEGMENT_BYTES, FOLLOWER_TOPIC, followerBatch } from './crash-workload.js';

const CHILD = fileURLToPath(new URL('./follower-crash-child.js', import.meta.url));

interface Batch {
  base: number;
  records: number;
  epoch: number;
  bytes: Buffer;
}

/** Runs the child until it has printed `steps` lines, then SIGKILLs it; resolves with its lines. */
function runAndKill(dir: string, seed: number, steps: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const l of parts) if (l !== 'ready') lines.push(l);
      if (lines.length >= steps) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lines);
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

/** Removes the batches at and after `offset`, as truncateTo does (a batch holding it goes whole). */
function cut(model: Batch[], offset: number): Batch[] {
  return model.filter((b) => b.base + b.records - 1 < offset);
}

function endOf(model: readonly Batch[]): number {
  const last = model[model.length - 1];
  return last === undefined ? 0 : last.base + last.records;
}

/**
 * Opens the log as a restarted broker would (an unclean stop) and checks it against what the child
 * said it did: every batch whole, contiguous and byte for byte what was appended; nothing a
 * finished truncation removed, nothing missing that it kept; while a truncation was under way, a
 * prefix of the log before it, at least as long as the truncation's target; the leader-epoch cache
 * exactly the epochs of the batches left; each batch found through the offset index.
 */
async function verify(dir: string, before: Batch[], lines: string[], context: string): Promise<Batch[]> {
  let model = before;
  let pendingTruncation: number | null = null;
  for (const line of lines) {
    const [op, ...args] = line.split(' ');
    const n = args.map(Number);
    if (op === 'A') {
      const [base, records, epoch, tag] = n as [number, number, number, number];
      model = [...model, { base, records, epoch, bytes: followerBatch(base, records, epoch, tag) }];
    } else if (op === 't') pendingTruncation = n[0]!;
    else if (op === 'T') {
      model = cut(model, n[0]!);
      pendingTruncation = null;
    }
  }
  const manager = LogManager.open({
    logDirs: [dir],
    clusterId: 'crash-test',
    nodeId: 2,
    defaultConfig: { segmentBytes: FOLLOWER_SEGMENT_BYTES, indexIntervalBytes: 512 },
  });
  const log = manager.getLog(FOLLOWER_TOPIC)!;
  const found: Buffer[] = [];
  for (const seg of log.segments) {
    const { batches, partialTail } = splitBatches(fs.readFileSync(seg.log.path));
    assert.equal(partialTail, 0, `${context}: a partial batch is left in segment ${seg.baseOffset}`);
    found.push(...batches);
  }
  const got: Batch[] = [];
  let next = 0;
  for (const b of found) {
    const h = validateBatch(b);
    assert.equal(Number(h.baseOffset), next, `${context}: offsets are not contiguous at ${next}`);
    const i = got.length;
    const expected = model[i];
    if (expected !== undefined) {
      assert.ok(b.equals(expected.bytes), `${context}: the batch at ${next} is not the one appended there`);
    } else {
      // The append in flight when the child was killed: written, not yet reported.
      assert.equal(pendingTruncation, null, `${context}: the log grew past its end during a truncation`);
      assert.equal(i, model.length, `${context}: more than the one append in flight`);
    }
    got.push({ base: next, records: h.recordCount, epoch: b.readInt32BE(12), bytes: Buffer.from(b) });
    next = Number(h.baseOffset) + h.lastOffsetDelta + 1;
  }
  assert.equal(log.logEndOffset, next, `${context}: the log end offset does not follow the last batch`);
  const mustKeep = pendingTruncation === null ? endOf(model) : endOf(cut(model, pendingTruncation));
  assert.ok(next >= mustKeep, `${context}: the log ends at ${next}, before ${mustKeep}`);
  const epochs: { epoch: number; startOffset: number }[] = [];
  for (const b of got)
    if (epochs.length === 0 || epochs[epochs.length - 1]!.epoch !== b.epoch)
      epochs.push({ epoch: b.epoch, startOffset: b.base });
  assert.deepEqual(log.epochs.all(), epochs, `${context}: the leader-epoch cache disagrees with the log`);
  for (const b of got) {
    const [first] = splitBatches(
      log.read({ fetchOffset: b.base, maxBytes: 1 }).slices[0]!.readSync(),
    ).batches;
    assert.equal(
      Number(first!.readBigInt64BE(0)),
      b.base,
      `${context}: the index finds the wrong batch for ${b.base}`,
    );
  }
  await manager.shutdown();
  // The child's next run appends after what survived, under a newer epoch.
  return got;
}

describe('follower storage crash recovery', () => {
  it('appends at the leader offsets and truncations leave a consistent log across SIGKILLs', async (t) => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100000);
    const random = rng(seed);
    const dir = fs.mkdtempSync(join(tmpdir(), 'strom-follower-crash-'));
    let model: Batch[] = [];
    let truncations = 0;
    const iterations = 6;
    for (let i = 0; i < iterations; i++) {
      const context = `seed ${seed} iteration ${i}`;
      const lines = await runAndKill(dir, seed * 100 + i, 30 + Math.floor(random() * 150));
      truncations += lines.filter((l) => l.startsWith('T ')).length;
      model = await verify(dir, model, lines, context);
    }
    t.diagnostic(`seed ${seed}: ${truncations} truncations, ${endOf(model)} offsets at the end`);
    assert.ok(truncations >= iterations, `seed ${seed}: too few truncations to test`);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
