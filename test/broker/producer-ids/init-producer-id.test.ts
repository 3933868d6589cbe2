import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startBroker } from '../../../src/broker/start-broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { ApiVersionsResponse } from '../../../src/protocol/generated/messages/api-versions-response.js';
import type { FindCoordinatorResponse } from '../../../src/protocol/generated/messages/find-coordinator-response.js';
import type { InitProducerIdResponse } from '../../../src/protocol/generated/messages/init-producer-id-response.js';
import { request } from '../../helpers/request.js';

const init = (bootstrap: string, version: number, body: Record<string, unknown> = {}) =>
  request<InitProducerIdResponse>(bootstrap, ApiKey.InitProducerId, version, {
    transactionalId: null,
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
    ...body,
  });

describe('InitProducerId', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-pid-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is advertised with versions 0-5 and hands out distinct ids at epoch 0 in every version', async () => {
    const broker = await startBroker({ logDir: dir });
    try {
      const av = await request<ApiVersionsResponse>(broker.bootstrap, ApiKey.ApiVersions, 3, {
        clientSoftwareName: 'test',
        clientSoftwareVersion: '1',
      });
      const api = av.apiKeys.find((k) => k.apiKey === ApiKey.InitProducerId);
      assert.deepEqual(api && [api.minVersion, api.maxVersion], [0, 5]);
      const ids = new Set<bigint>();
      for (let v = 0; v <= 5; v++) {
        const r = await init(broker.bootstrap, v);
        assert.equal(r.errorCode, ErrorCode.NONE, `v${v}`);
        assert.equal(r.producerEpoch, 0);
        assert.ok(r.producerId >= 0n);
        ids.add(r.producerId);
      }
      // An idempotent producer asking again with its id and epoch (v3+) gets a fresh id, as from Kafka.
      const again = await init(broker.bootstrap, 4, { producerId: 0n, producerEpoch: 0 });
      assert.equal(again.errorCode, ErrorCode.NONE);
      ids.add(again.producerId);
      assert.equal(ids.size, 7);
    } finally {
      await broker.close();
    }
  });

  it('never reuses an id after a restart: blocks are recorded in the metadata log', async () => {
    const first = await startBroker({ logDir: dir });
    let before: bigint;
    try {
      before = (await init(first.bootstrap, 4)).producerId;
    } finally {
      await first.close();
    }
    const second = await startBroker({ logDir: dir });
    try {
      const after = await init(second.bootstrap, 4);
      assert.equal(after.errorCode, ErrorCode.NONE);
      // The restarted broker starts a new block (Kafka's block size, 1000) after the old one.
      assert.ok(after.producerId >= 1000n, `${after.producerId} after ${before}`);
    } finally {
      await second.close();
    }
  });

  it("answers Kafka's errors for bad input, and sends transactional ids to their coordinator", async () => {
    const broker = await startBroker();
    try {
      const b = broker.bootstrap;
      assert.equal((await init(b, 3, { producerId: 5n })).errorCode, ErrorCode.INVALID_REQUEST);
      assert.equal((await init(b, 3, { producerEpoch: 2 })).errorCode, ErrorCode.INVALID_REQUEST);
      assert.equal((await init(b, 4, { transactionalId: '' })).errorCode, ErrorCode.INVALID_REQUEST);
      const timeout = await init(b, 4, { transactionalId: 'tx', transactionTimeoutMs: 900_001 });
      assert.equal(timeout.errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
      // Before any FindCoordinator(TRANSACTION), __transaction_state does not exist: no broker
      // coordinates the id yet, as in Kafka.
      const txn = await init(b, 4, { transactionalId: 'tx' });
      assert.deepEqual(
        [txn.errorCode, txn.producerId, txn.producerEpoch],
        [ErrorCode.NOT_COORDINATOR, -1n, -1],
      );
      const fc = await request<FindCoordinatorResponse>(b, ApiKey.FindCoordinator, 3, {
        key: 'tx',
        keyType: 1,
      });
      assert.equal(fc.errorCode, ErrorCode.NONE);
      const initialized = await init(b, 4, { transactionalId: 'tx' });
      assert.deepEqual([initialized.errorCode, initialized.producerEpoch], [ErrorCode.NONE, 0]);
    } finally {
      await broker.close();
    }
  });
});
