import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyMetadataRecord } from '../../../src/metadata/apply-metadata-record.js';
import {
  controlledShutdown,
  type LiveBroker,
  reconcileBrokers,
} from '../../../src/metadata/controller/broker-liveness.js';
import { MetadataImage } from '../../../src/metadata/metadata-image.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';

const live = (id: number, epoch: bigint, incarnation = 'AAAAAAAAAAAAAAAAAAAAAQ'): LiveBroker => ({
  brokerId: id,
  incarnationId: incarnation,
  brokerEpoch: epoch,
  endPoints: [{ name: 'PLAINTEXT', host: 'h', port: 9000 + id, securityProtocol: 0 }],
  rack: null,
});

function step(image: MetadataImage, sessions: LiveBroker[]): string[] {
  const { records } = reconcileBrokers(image, new Map(sessions.map((s) => [s.brokerId, s])));
  for (const r of records) applyMetadataRecord(image, r);
  return records.map((r) => r.type);
}

describe('reconcileBrokers (the controller answering live broker sessions)', () => {
  it('registers, fences, unfences and re-registers; writes nothing when nothing changed', () => {
    const image = new MetadataImage();
    assert.deepEqual(step(image, [live(1, 10n), live(2, 11n)]), [
      'RegisterBrokerRecord',
      'RegisterBrokerRecord',
    ]);
    assert.deepEqual(step(image, [live(1, 10n), live(2, 11n)]), []);
    applyMetadataRecord(image, {
      type: 'TopicRecord',
      data: { name: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAg' },
    });
    for (const [partitionId, leader] of [
      [0, 1],
      [1, 2],
    ] as const) {
      applyMetadataRecord(image, {
        type: 'PartitionRecord',
        data: {
          partitionId,
          topicId: 'AAAAAAAAAAAAAAAAAAAAAg',
          replicas: [leader],
          isr: [leader],
          removingReplicas: [],
          addingReplicas: [],
          leader,
          leaderEpoch: 0,
          partitionEpoch: 0,
          leaderRecoveryState: 0,
          directories: [],
        },
      });
    }
    // Broker 2's session is gone: fenced, and its partition (replication factor 1) has no other
    // replica to lead it: no leader, in a new epoch, with broker 2 kept as its eligible leader (KIP-966).
    assert.deepEqual(step(image, [live(1, 10n)]), [
      'BrokerRegistrationChangeRecord',
      'PartitionChangeRecord',
    ]);
    assert.equal(image.brokers.get(2)!.fenced, true);
    const p1 = image.topic('t')!.partitions.get(1)!;
    assert.deepEqual([p1.leader, p1.leaderEpoch, p1.isr, p1.eligibleLeaderReplicas], [-1, 1, [], [2]]);
    assert.deepEqual(step(image, [live(1, 10n)]), [], 'fencing is written once');
    // A new session (new epoch): registered again, leads again in a further epoch.
    assert.deepEqual(step(image, [live(1, 10n), live(2, 20n)]), [
      'RegisterBrokerRecord',
      'PartitionChangeRecord',
    ]);
    assert.deepEqual([image.brokers.get(2)!.fenced, image.brokers.get(2)!.brokerEpoch], [false, 20n]);
    assert.deepEqual([p1.leader, p1.leaderEpoch, p1.isr], [2, 2, [2]]);
    assert.equal(image.topic('t')!.partitions.get(0)!.leaderEpoch, 0, 'the other partition untouched');
  });

  it('fails over: a fenced leader is replaced from the ISR in a new leader epoch, and rejoins as a replica only', () => {
    const image = new MetadataImage();
    step(image, [live(1, 10n), live(2, 11n), live(3, 12n)]);
    applyMetadataRecord(image, {
      type: 'TopicRecord',
      data: { name: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAg' },
    });
    applyMetadataRecord(image, {
      type: 'PartitionRecord',
      data: {
        partitionId: 0,
        topicId: 'AAAAAAAAAAAAAAAAAAAAAg',
        replicas: [1, 2, 3],
        isr: [1, 2, 3],
        removingReplicas: [],
        addingReplicas: [],
        leader: 1,
        leaderEpoch: 0,
        partitionEpoch: 0,
        leaderRecoveryState: 0,
        directories: [],
      },
    });
    const p = image.topic('t')!.partitions.get(0)!;
    assert.deepEqual(step(image, [live(2, 11n), live(3, 12n)]), [
      'BrokerRegistrationChangeRecord',
      'PartitionChangeRecord',
    ]);
    assert.deepEqual([p.leader, p.leaderEpoch, p.isr], [2, 1, [2, 3]]);
    // Broker 1 restarts (new epoch): registered, but it joins the ISR only through its leader's
    // AlterPartition once it has caught up; leadership stays.
    assert.deepEqual(step(image, [live(1, 20n), live(2, 11n), live(3, 12n)]), ['RegisterBrokerRecord']);
    assert.deepEqual([p.leader, p.leaderEpoch, p.isr], [2, 1, [2, 3]]);
    // Broker 2 restarts at once (its old session replaced by a new one): out of the ISR first.
    assert.deepEqual(step(image, [live(1, 20n), live(2, 21n), live(3, 12n)]), [
      'BrokerRegistrationChangeRecord',
      'PartitionChangeRecord',
      'RegisterBrokerRecord',
    ]);
    assert.deepEqual([p.leader, p.leaderEpoch, p.isr], [3, 2, [3]]);
  });

  it('controlled shutdown: the broker is marked, leaves the ISRs and its leadership moves in one batch', () => {
    const image = new MetadataImage();
    step(image, [live(1, 10n), live(2, 11n), live(3, 12n)]);
    applyMetadataRecord(image, {
      type: 'TopicRecord',
      data: { name: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAg' },
    });
    for (const [partitionId, replicas] of [
      [0, [1, 2, 3]],
      [1, [1]],
    ] as const)
      applyMetadataRecord(image, {
        type: 'PartitionRecord',
        data: {
          partitionId,
          topicId: 'AAAAAAAAAAAAAAAAAAAAAg',
          replicas: [...replicas],
          isr: [...replicas],
          removingReplicas: [],
          addingReplicas: [],
          leader: 1,
          leaderEpoch: 0,
          partitionEpoch: 0,
          leaderRecoveryState: 0,
          directories: [],
        },
      });
    assert.equal(controlledShutdown(image, 1, 9n).response.errorCode, ErrorCode.STALE_BROKER_EPOCH);
    const r = controlledShutdown(image, 1, 10n);
    assert.deepEqual(
      r.records.map((x) => x.type),
      ['BrokerRegistrationChangeRecord', 'PartitionChangeRecord', 'PartitionChangeRecord'],
    );
    for (const x of r.records) applyMetadataRecord(image, x);
    assert.equal(image.brokers.get(1)!.inControlledShutdown, true);
    const [p0, p1] = [0, 1].map((i) => image.topic('t')!.partitions.get(i)!);
    assert.deepEqual([p0!.leader, p0!.leaderEpoch, p0!.isr], [2, 1, [2, 3]]);
    // Its only replica: no other may lead (as in Kafka); it is offline until the broker returns.
    assert.deepEqual([p1!.leader, p1!.leaderEpoch], [-1, 1]);
    assert.deepEqual(r.response.remaining, []);
    // Asked again (a retry): nothing more to write.
    assert.deepEqual(controlledShutdown(image, 1, 10n).records, []);
    // Its session ends: fenced; registered again later, it leads its single-replica partition again.
    step(image, [live(2, 11n), live(3, 12n)]);
    step(image, [live(1, 20n), live(2, 11n), live(3, 12n)]);
    assert.deepEqual([p1!.leader, p0!.leader, p0!.isr], [1, 2, [2, 3]]);
  });

  it('ignores a registration change for another broker epoch', () => {
    const image = new MetadataImage();
    step(image, [live(1, 10n)]);
    applyMetadataRecord(image, {
      type: 'BrokerRegistrationChangeRecord',
      data: { brokerId: 1, brokerEpoch: 9n, fenced: 1, inControlledShutdown: 0, logDirs: [] },
    });
    assert.equal(image.brokers.get(1)!.fenced, false);
  });
});
