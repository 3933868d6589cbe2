import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Broker } from '../../../src/broker/broker.js';
import { BrokerConfig } from '../../../src/broker/config/broker-config.js';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { noopLogger } from '../../../src/common/logger.js';
import { EtcdHttpClient } from '../../../src/metadata/etcd/etcd-http-client.js';
import type { EtcdKv } from '../../../src/metadata/etcd/etcd-kv.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../../src/protocol/generated/messages/create-topics-response.js';
import type { ProduceResponse } from '../../../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { waitUntil } from '../../helpers/cluster-processes.js';
import { type EtcdProcess, startEtcd } from '../../helpers/etcd-process.js';
import { request } from '../../helpers/request.js';

const SESSION_MS = 2000;

type KvOperation = 'range' | 'txn' | 'watch' | 'leaseGrant' | 'leaseKeepAlive' | 'leaseRevoke';

/**
 * An etcd client whose operations of the kinds in `held` wait (watch events too) until released:
 * a broker cut off from etcd for chosen operations only.
 */
class GatedKv {
  readonly held = new Set<KvOperation>();
  private waiting: { op: KvOperation; go: () => void }[] = [];

  constructor(private readonly inner: EtcdKv) {}

  hold(...ops: KvOperation[]): void {
    for (const op of ops) this.held.add(op);
  }

  release(...ops: KvOperation[]): void {
    for (const op of ops) this.held.delete(op);
    const still: typeof this.waiting = [];
    for (const w of this.waiting) {
      if (this.held.has(w.op)) still.push(w);
      else w.go();
    }
    this.waiting = still;
  }

  private gate(op: KvOperation): Promise<void> {
    return this.held.has(op)
      ? new Promise((go) => this.waiting.push({ op, go: () => go() }))
      : Promise.resolve();
  }

  readonly kv: EtcdKv = {
    range: (r) => this.gate('range').then(() => this.inner.range(r)),
    txn: (t) => this.gate('txn').then(() => this.inner.txn(t)),
    watch: (r, onEvents, onError) =>
      this.inner.watch(
        r,
        (rev) => void this.gate('watch').then(() => onEvents(rev)),
        (err) => void this.gate('watch').then(() => onError(err)),
      ),
    leaseGrant: (ttl) => this.gate('leaseGrant').then(() => this.inner.leaseGrant(ttl)),
    leaseKeepAlive: (id) => this.gate('leaseKeepAlive').then(() => this.inner.leaseKeepAlive(id)),
    leaseRevoke: (id) => this.gate('leaseRevoke').then(() => this.inner.leaseRevoke(id)),
    close: () => this.inner.close(),
  };
}

const ALL: KvOperation[] = ['range', 'txn', 'watch', 'leaseGrant', 'leaseKeepAlive', 'leaseRevoke'];

describe('a broker whose etcd session expired', () => {
  let etcd: EtcdProcess;
  let controller: StartedBroker;
  let broker2: Broker;
  const gated = { current: null as GatedKv | null };
  const dir = mkdtempSync(join(tmpdir(), 'strom-lost-session-'));
  const clusterConfig = (nodeId: number): Record<string, string> => ({
    'metadata.etcd.endpoints': etcd.endpoint,
    'node.id': String(nodeId),
    'broker.session.timeout.ms': String(SESSION_MS),
    'broker.heartbeat.interval.ms': '500',
  });
  const produce = (to: string, partition: number) =>
    request<ProduceResponse>(to, ApiKey.Produce, 9, {
      acks: 1,
      timeoutMs: 5000,
      topicData: [
        {
          name: 'led',
          partitionData: [
            {
              index: partition,
              records: encodeRecordBatch({
                baseTimestamp: 1_700_000_000_000n,
                records: [
                  { offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('v'), headers: [] },
                ],
              }),
            },
          ],
        },
      ],
    });
  const errorOf = (r: ProduceResponse) => r.responses[0]!.partitionResponses[0]!.errorCode;

  before(async () => {
    etcd = await startEtcd();
    controller = await startBroker({ config: clusterConfig(1) });
    await waitUntil(
      'broker 1 is the controller',
      () => controller.broker.services.cluster!.isActiveController,
      10_000,
    );
    gated.current = new GatedKv(new EtcdHttpClient([etcd.endpoint], noopLogger));
    broker2 = await Broker.start(
      new BrokerConfig(
        new Map([
          ['listeners', 'PLAINTEXT://127.0.0.1:0'],
          ['log.dirs', dir],
          ...Object.entries(clusterConfig(2)),
        ]),
      ),
      { etcdKv: gated.current.kv },
    );
  });
  after(async () => {
    gated.current?.release(...ALL);
    await broker2?.close().catch(() => undefined);
    await controller?.close().catch(() => undefined);
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses produce as NOT_LEADER_OR_FOLLOWER from the moment it finds out until it has registered again', async () => {
    const gate = gated.current!;
    const created = await request<CreateTopicsResponse>(controller.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [{ name: 'led', numPartitions: 2, replicationFactor: 1 }],
      timeoutMs: 5000,
    });
    assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);
    let mine = -1;
    const ledBy2 = () => broker2.services.metadata.image.partition('led', mine)?.leader === 2;
    await waitUntil(
      'broker 2 knows the partition it leads',
      () => {
        const t = broker2.services.metadata.image.topic('led');
        mine = [...(t?.partitions.values() ?? [])].find((p) => p.leader === 2)?.partitionId ?? -1;
        return mine >= 0;
      },
      10_000,
    );
    assert.equal(errorOf(await produce(broker2.bootstrap, mine)), ErrorCode.NONE, 'it leads and accepts');

    // Cut off from etcd past its session timeout: the lease expires, the controller fences it.
    gate.hold(...ALL);
    await waitUntil(
      'the controller fenced broker 2',
      () => controller.broker.services.metadata.image.brokers.get(2)?.fenced === true,
      4 * SESSION_MS,
    );
    // Its renewal gets through (it learns the lease is gone); registering and reading the
    // metadata do not yet, so its own image still names it the leader: only the lost session
    // can make it refuse.
    gate.release('leaseKeepAlive');
    await waitUntil(
      'broker 2 refuses as a fenced broker',
      async () => errorOf(await produce(broker2.bootstrap, mine)) === ErrorCode.NOT_LEADER_OR_FOLLOWER,
      4 * SESSION_MS,
    );
    assert.ok(ledBy2(), 'its image, unread since, still names it the leader');
    assert.equal(errorOf(await produce(broker2.bootstrap, mine)), ErrorCode.NOT_LEADER_OR_FOLLOWER);

    // etcd reachable again: it registers under a new epoch and leads once it has caught up.
    gate.release(...ALL);
    await waitUntil(
      'broker 2 registered again and leads',
      () => controller.broker.services.metadata.image.brokers.get(2)?.fenced === false,
      4 * SESSION_MS,
    );
    await waitUntil(
      'broker 2 accepts produce again',
      async () => errorOf(await produce(broker2.bootstrap, mine)) === ErrorCode.NONE,
      4 * SESSION_MS,
    );
  });
});
