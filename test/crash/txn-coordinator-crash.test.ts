import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startBroker } from '../../src/broker/start-broker.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import {
  addPartitions,
  awaitTxnState,
  createTopic,
  describeTxn,
  endTxn,
  findTxnCoordinator,
  initProducerId,
  markersIn,
  produceTxn,
} from '../broker/transaction-coordinator/txn-requests.js';

const CHILD = fileURLToPath(new URL('./txn-coordinator-crash-child.js', import.meta.url));

/** Starts the child broker; resolves with its bootstrap and a function that SIGKILLs it and waits for the exit. */
function startChild(dir: string): Promise<{ bootstrap: string; kill: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const exited = new Promise<void>((done) => child.on('exit', () => done()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^ready (\S+)$/m.exec(out);
      const kill = () => {
        child.kill('SIGKILL');
        return exited;
      };
      if (m) resolve({ bootstrap: m[1]!, kill });
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

describe('transaction coordinator crash', () => {
  it('a broker SIGKILLed in PrepareCommit completes the commit after its restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strom-txn-crash-'));
    const child = await startChild(dir);
    try {
      const b = child.bootstrap;
      await createTopic(b, 'crash-orders', 2);
      await findTxnCoordinator(b, 'crash-txn');
      const { producerId, producerEpoch } = await initProducerId(b, 'crash-txn');
      await addPartitions(b, 'crash-txn', producerId, producerEpoch, [
        { name: 'crash-orders', partitions: [0, 1] },
      ]);
      for (const p of [0, 1]) {
        const r = await produceTxn(
          b,
          'crash-txn',
          'crash-orders',
          p,
          { producerId, producerEpoch, baseSequence: 0 },
          ['a', 'b'],
        );
        assert.equal(r.errorCode, ErrorCode.NONE);
      }
      assert.equal(await endTxn(b, 'crash-txn', producerId, producerEpoch, true), ErrorCode.NONE);
      assert.equal((await describeTxn(b, 'crash-txn')).transactionState, 'PrepareCommit');
    } finally {
      await child.kill();
    }
    const restarted = await startBroker({ logDir: dir });
    try {
      await findTxnCoordinator(restarted.bootstrap, 'crash-txn');
      const done = await awaitTxnState(restarted.bootstrap, 'crash-txn', 'CompleteCommit');
      assert.deepEqual(done.topics, []);
      for (const p of [0, 1]) {
        const markers = markersIn(restarted, 'crash-orders', p);
        assert.deepEqual(
          markers.map((m) => [m.commit, m.offset]),
          [[true, 2]],
          `partition ${p}: one COMMIT marker after the transaction's two records`,
        );
        assert.equal(restarted.broker.services.replicas.get('crash-orders', p)!.log.lastStableOffset, 3);
      }
    } finally {
      await restarted.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
