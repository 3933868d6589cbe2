import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ControlRecordType, decodeControlRecordKey } from '../../src/protocol/records/control-record.js';
import { openRecordBatch } from '../../src/protocol/records/record-batch.js';
import { ATTR_CONTROL, validateBatch } from '../../src/protocol/records/record-batch-header.js';
import { LogManager } from '../../src/storage/log-manager.js';
import type { AbortedTxn } from '../../src/storage/transaction-index.js';
import { readAll } from '../storage/helpers.js';
import { rng, runAndKill } from './crash-harness.js';

const CHILD = fileURLToPath(new URL('./txn-crash-child.js', import.meta.url));
const TOPIC = { topic: 'txn-crash', partition: 0 };

/**
 * A log of transactional producers killed at random points: after each restart the open
 * transactions, the last stable offset and every segment's aborted-transaction index must be what
 * a fresh reading of the log says they are, and every acknowledged batch and marker must be there.
 */
describe('transactions crash safety', () => {
  it('rebuilds open transactions, the last stable offset and the .txnindex files after SIGKILL', async (t) => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100000);
    const random = rng(seed);
    const dir = fs.mkdtempSync(join(tmpdir(), 'strom-txn-crash-'));
    const acked = new Map<number, number>();
    let aborts = 0;
    let segments = 0;
    for (let i = 0; i < 5; i++) {
      const context = `seed ${seed} iteration ${i}`;
      for (const [o, k] of await runAndKill(
        CHILD,
        [dir, String(seed * 10 + i)],
        Math.floor(random() * 100),
        40,
      ))
        acked.set(o, k);
      const m = LogManager.open({ logDirs: [dir], clusterId: 'crash-test', nodeId: 1 });
      try {
        const log = m.getLog(TOPIC)!;
        // What the log itself says: Kafka's rules applied to every batch from the start.
        const open = new Map<bigint, number>();
        const expected = new Map<number, AbortedTxn[]>();
        const kinds = new Map<number, number>();
        const segmentOf = (offset: number) =>
          log.segments.filter((s) => s.baseOffset <= offset).at(-1)!.baseOffset;
        for (const b of readAll(log)) {
          validateBatch(b);
          const batch = openRecordBatch(b);
          const offset = Number(batch.baseOffset);
          const pid = batch.producerId;
          if ((batch.attributes & ATTR_CONTROL) === 0) {
            kinds.set(offset, pid < 0n ? 300 : Number(pid));
            if (pid >= 0n && !open.has(pid)) open.set(pid, offset);
            continue;
          }
          const type = decodeControlRecordKey(batch.records().next().value!.key).type;
          kinds.set(offset, (type === ControlRecordType.Abort ? 200 : 100) + Number(pid));
          const first = open.get(pid);
          open.delete(pid);
          if (first === undefined || type !== ControlRecordType.Abort) continue;
          const others = [...open.values()].sort((a, b) => a - b);
          const entry = {
            producerId: pid,
            firstOffset: first,
            lastOffset: offset,
            lastStableOffset: others[0] ?? offset + 1,
          };
          const seg = segmentOf(offset);
          expected.set(seg, [...(expected.get(seg) ?? []), entry]);
          aborts++;
        }
        for (const [offset, kind] of acked)
          assert.equal(kinds.get(offset), kind, `${context}: acknowledged offset ${offset} (${kind})`);
        for (const s of log.segments)
          assert.deepEqual(
            s.txnIndex.all(),
            expected.get(s.baseOffset) ?? [],
            `${context}: ${s.baseOffset}.txnindex`,
          );
        for (let pid = 1n; pid <= 4n; pid++)
          assert.equal(
            log.producerState.entry(pid)?.currentTxnFirstOffset ?? -1,
            open.get(pid) ?? -1,
            `${context}: producer ${pid}`,
          );
        log.setHighWatermark(log.logEndOffset);
        const firstOpen = Math.min(...open.values());
        assert.equal(log.lastStableOffset, open.size === 0 ? log.logEndOffset : firstOpen, `${context}: LSO`);
        segments = log.segments.length;
      } finally {
        // Not a clean shutdown for the child's next run: the files are closed, the marker written,
        // but the next run is killed again, so every iteration recovers from a kill.
        await m.shutdown();
      }
    }
    t.diagnostic(
      `seed ${seed}: ${acked.size} appends acknowledged, ${aborts} aborted transactions, ${segments} segments`,
    );
    assert.ok(aborts > 0 && segments > 1, `seed ${seed}: the workload aborted nothing or never rolled`);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
