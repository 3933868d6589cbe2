import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokerConfig } from '../../../../src/broker/config/broker-config.js';
import type { ReplicaManager } from '../../../../src/broker/replica/replica-manager.js';
import { TransactionCoordinatorShell } from '../../../../src/broker/transaction-coordinator/shell/transaction-coordinator-shell.js';
import { ManualClock } from '../../../../src/common/clock.js';
import { noopLogger } from '../../../../src/common/logger.js';
import { ErrorCode } from '../../../../src/protocol/error-codes.js';

/** A __transaction_state whose appends complete when the test says so. */
function heldReplicas() {
  const held: (() => void)[] = [];
  const replicas = {
    get: () => ({}),
    appendAndAwaitCommitted: () =>
      new Promise((resolve) => held.push(() => resolve({ errorCode: ErrorCode.NONE, errorMessage: null }))),
  } as unknown as ReplicaManager;
  return {
    replicas,
    /** Lets every append issued so far, and those it leads to, complete. */
    release: async () => {
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setImmediate(r));
        while (held.length > 0) held.shift()!();
      }
    },
  };
}

describe('transaction coordinator shell', () => {
  it('does not vouch for a partition whose AddPartitionsToTxn record is not durable yet (KIP-890 verification)', async () => {
    const { replicas, release } = heldReplicas();
    const shell = new TransactionCoordinatorShell({
      nodeId: 1,
      config: new BrokerConfig(new Map([['transaction.state.log.num.partitions', '1']])),
      replicas,
      markers: { send: async () => [] },
      generateProducerId: async () => 1000n,
      clock: new ManualClock(),
      logger: noopLogger,
      appendTimeoutMs: 1000,
    });
    try {
      shell.core.beginLoad(0, 0);
      shell.core.loadFrom(0, []);
      const init = shell.initProducerId({
        transactionalId: 'a',
        transactionTimeoutMs: 60_000,
        producerId: -1n,
        producerEpoch: -1,
      });
      await release();
      const { producerId, producerEpoch } = await init;
      const added = shell.addPartitionsToTxn({
        transactionalId: 'a',
        producerId,
        producerEpoch,
        partitions: new Map([['t', new Set([0])]]),
      });
      const verify = () =>
        shell
          .verifyPartitionsInTxn({
            transactionalId: 'a',
            producerId,
            producerEpoch,
            partitions: new Map([['t', new Set([0])]]),
          })
          .partitionErrors.get('t')!
          .get(0);
      assert.equal(verify(), ErrorCode.CONCURRENT_TRANSACTIONS);
      await release();
      assert.equal((await added).errorCode, ErrorCode.NONE);
      assert.equal(verify(), ErrorCode.NONE);
    } finally {
      shell.close();
    }
  });
});
