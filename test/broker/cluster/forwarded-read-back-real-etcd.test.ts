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
import type { CreatePartitionsResponse } from '../../../src/protocol/generated/messages/create-partitions-response.js';
import type { CreateTopicsResponse } from '../../../src/protocol/generated/messages/create-topics-response.js';
import type { DeleteTopicsResponse } from '../../../src/protocol/generated/messages/delete-topics-response.js';
import type { MetadataResponse } from '../../../src/protocol/generated/messages/metadata-response.js';
import { ZERO_UUID } from '../../../src/protocol/primitives/uuid.js';
import { waitUntil } from '../../helpers/cluster-processes.js';
import { type EtcdProcess, startEtcd } from '../../helpers/etcd-process.js';
import { request } from '../../helpers/request.js';

/** Far longer than a request takes: without reading the log, the broker could not know in time. */
const WATCH_DELAY_MS = 4000;

/** An etcd client whose watch events arrive WATCH_DELAY_MS late, as from a slow or distant watch. */
function slowWatch(inner: EtcdKv): { kv: EtcdKv; cancel: () => void } {
  const timers = new Set<NodeJS.Timeout>();
  const later = (f: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      f();
    }, WATCH_DELAY_MS);
    timers.add(t);
  };
  return {
    kv: {
      range: (r) => inner.range(r),
      txn: (t) => inner.txn(t),
      watch: (r, onEvents, onError) =>
        inner.watch(
          r,
          (rev) => later(() => onEvents(rev)),
          (err) => later(() => onError(err)),
        ),
      leaseGrant: (ttl) => inner.leaseGrant(ttl),
      leaseKeepAlive: (id) => inner.leaseKeepAlive(id),
      leaseRevoke: (id) => inner.leaseRevoke(id),
      close: () => inner.close(),
    },
    cancel: () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

describe('a broker that forwards an admin request answers once its own image has the change', () => {
  let etcd: EtcdProcess;
  let controller: StartedBroker;
  let forwarder: Broker;
  let cancelWatch = (): void => undefined;
  const dir = mkdtempSync(join(tmpdir(), 'strom-forward-read-back-'));
  const clusterConfig = (nodeId: number): Record<string, string> => ({
    'metadata.etcd.endpoints': etcd.endpoint,
    'node.id': String(nodeId),
    'broker.session.timeout.ms': '2000',
    'broker.heartbeat.interval.ms': '500',
  });
  const metadata = (topic: string) =>
    request<MetadataResponse>(forwarder.bootstrap, ApiKey.Metadata, 12, {
      topics: [{ name: topic, topicId: ZERO_UUID }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });

  before(async () => {
    etcd = await startEtcd();
    controller = await startBroker({ config: clusterConfig(1) });
    await waitUntil(
      'broker 1 is the controller',
      () => controller.broker.services.cluster!.isActiveController,
      10_000,
    );
    const slow = slowWatch(new EtcdHttpClient([etcd.endpoint], noopLogger));
    cancelWatch = slow.cancel;
    forwarder = await Broker.start(
      new BrokerConfig(
        new Map([
          ['listeners', 'PLAINTEXT://127.0.0.1:0'],
          ['log.dirs', dir],
          ...Object.entries(clusterConfig(2)),
        ]),
      ),
      { etcdKv: slow.kv },
    );
    await waitUntil(
      'the controller registered broker 2',
      () => controller.broker.services.metadata.image.brokers.get(2)?.fenced === false,
      10_000,
    );
  });
  after(async () => {
    cancelWatch();
    await forwarder?.close().catch(() => undefined);
    await controller?.close().catch(() => undefined);
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a topic it created, grew and deleted in its very next Metadata answer', async () => {
    assert.equal(forwarder.services.cluster!.isActiveController, false);
    const created = await request<CreateTopicsResponse>(forwarder.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [{ name: 'read-back', numPartitions: 3, replicationFactor: 1 }],
      timeoutMs: 5000,
    });
    assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE, created.topics[0]!.errorMessage ?? '');
    const seen = (await metadata('read-back')).topics[0]!;
    assert.equal(seen.errorCode, ErrorCode.NONE, 'the topic is known to the broker that created it');
    assert.equal(seen.partitions.length, 3);

    const grown = await request<CreatePartitionsResponse>(forwarder.bootstrap, ApiKey.CreatePartitions, 3, {
      topics: [{ name: 'read-back', count: 5, assignments: null }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.equal(grown.results[0]!.errorCode, ErrorCode.NONE);
    assert.equal((await metadata('read-back')).topics[0]!.partitions.length, 5);

    const deleted = await request<DeleteTopicsResponse>(forwarder.bootstrap, ApiKey.DeleteTopics, 6, {
      topics: [{ name: 'read-back', topicId: ZERO_UUID }],
      timeoutMs: 5000,
    });
    assert.equal(deleted.responses[0]!.errorCode, ErrorCode.NONE);
    assert.equal((await metadata('read-back')).topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
