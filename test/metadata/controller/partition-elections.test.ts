import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyMetadataRecord } from '../../../src/metadata/apply-metadata-record.js';
import { alterPartition } from '../../../src/metadata/controller/alter-partition.js';
import type { MetadataRecord } from '../../../src/metadata/controller/metadata-record.js';
import {
  brokerAvailable,
  brokerUnavailable,
  type ElectionSettings,
  ElectionType,
  electLeaders,
} from '../../../src/metadata/controller/partition-elections.js';
import { MetadataImage, type PartitionState } from '../../../src/metadata/metadata-image.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAg';

function settings(o: Partial<{ minIsr: number; unclean: boolean; elr: boolean }> = {}): ElectionSettings {
  return {
    minInsyncReplicas: () => o.minIsr ?? 2,
    uncleanLeaderElectionEnable: () => o.unclean ?? false,
    eligibleLeaderReplicasEnabled: o.elr ?? true,
  };
}

/** Brokers 1-3 registered and unfenced; topic t with one partition on [1, 2, 3] led by 1. */
function cluster(isr = [1, 2, 3]): MetadataImage {
  const image = new MetadataImage();
  for (const id of [1, 2, 3]) {
    applyMetadataRecord(image, {
      type: 'RegisterBrokerRecord',
      data: {
        brokerId: id,
        incarnationId: 'AAAAAAAAAAAAAAAAAAAAAQ',
        brokerEpoch: BigInt(100 + id),
        endPoints: [],
        features: [],
        rack: null,
        fenced: false,
        inControlledShutdown: false,
      },
    });
  }
  applyMetadataRecord(image, { type: 'TopicRecord', data: { name: 't', topicId: TOPIC_ID } });
  applyMetadataRecord(image, {
    type: 'PartitionRecord',
    data: {
      partitionId: 0,
      topicId: TOPIC_ID,
      replicas: [1, 2, 3],
      isr,
      removingReplicas: [],
      addingReplicas: [],
      leader: isr[0] ?? -1,
      leaderEpoch: 0,
      partitionEpoch: 0,
      leaderRecoveryState: 0,
      directories: [],
    },
  });
  return image;
}

function fence(image: MetadataImage, id: number): void {
  applyMetadataRecord(image, {
    type: 'BrokerRegistrationChangeRecord',
    data: { brokerId: id, brokerEpoch: BigInt(100 + id), fenced: 1, inControlledShutdown: 0, logDirs: [] },
  });
}
function unfence(image: MetadataImage, id: number): void {
  applyMetadataRecord(image, {
    type: 'BrokerRegistrationChangeRecord',
    data: { brokerId: id, brokerEpoch: BigInt(100 + id), fenced: -1, inControlledShutdown: 0, logDirs: [] },
  });
}

function apply(image: MetadataImage, records: MetadataRecord[]): PartitionState {
  for (const r of records) applyMetadataRecord(image, r);
  return image.partition('t', 0)!;
}

function alter(
  image: MetadataImage,
  o: { from?: number; leaderEpoch?: number; partitionEpoch?: number; isr: number[] },
) {
  const p = image.partition('t', 0)!;
  return alterPartition(
    image,
    {
      brokerId: o.from ?? p.leader,
      brokerEpoch: BigInt(100 + (o.from ?? p.leader)),
      topics: [
        {
          topicName: '',
          topicId: TOPIC_ID,
          partitions: [
            {
              partitionIndex: 0,
              leaderEpoch: o.leaderEpoch ?? p.leaderEpoch,
              partitionEpoch: o.partitionEpoch ?? p.partitionEpoch,
              newIsr: [],
              newIsrWithEpochs: o.isr.map((id) => ({ brokerId: id, brokerEpoch: BigInt(100 + id) })),
              leaderRecoveryState: 0,
            },
          ],
        },
      ],
    },
    settings(),
  );
}

describe('AlterPartition (Kafka ReplicationControlManager, KIP-497/KIP-841)', () => {
  it('applies an ISR change made on the current epochs and answers with the new partition epoch', () => {
    const image = cluster();
    const r = alter(image, { isr: [1, 2] });
    assert.deepEqual(r.response.topics[0]!.partitions[0], {
      partitionIndex: 0,
      errorCode: 0,
      leaderId: 1,
      leaderEpoch: 0,
      isr: [1, 2],
      leaderRecoveryState: 0,
      partitionEpoch: 1,
    });
    const p = apply(image, r.records);
    assert.deepEqual([p.isr, p.partitionEpoch, p.leaderEpoch], [[1, 2], 1, 0]);
  });

  it('refuses stale epochs, a non-leader, a leader missing from the ISR and ineligible replicas', () => {
    const image = cluster([1, 2]);
    const code = (o: Parameters<typeof alter>[1]) =>
      alter(image, o).response.topics[0]!.partitions[0]!.errorCode;
    apply(image, alter(image, { isr: [1] }).records);
    assert.equal(code({ isr: [1, 2], partitionEpoch: 0 }), ErrorCode.INVALID_UPDATE_VERSION);
    assert.equal(code({ isr: [1, 2], partitionEpoch: 5 }), ErrorCode.NOT_CONTROLLER);
    assert.equal(code({ isr: [1, 2], from: 2 }), ErrorCode.INVALID_REQUEST);
    assert.equal(code({ isr: [2, 3] }), ErrorCode.INVALID_REQUEST);
    assert.equal(code({ isr: [1, 4] }), ErrorCode.INVALID_REQUEST);
    fence(image, 3);
    assert.equal(
      code({ isr: [1, 3] }),
      ErrorCode.INELIGIBLE_REPLICA,
      'a fenced broker may not join (KIP-841)',
    );
    assert.equal(code({ isr: [1, 2] }), ErrorCode.NONE);
    // A new leader epoch makes the old leader's proposals FENCED_LEADER_EPOCH.
    apply(image, brokerUnavailable(image, 1, settings()).records);
    assert.equal(
      code({ isr: [1, 2], from: 1, leaderEpoch: 0, partitionEpoch: 0 }),
      ErrorCode.INVALID_REQUEST,
    );
    const p = image.partition('t', 0)!;
    assert.equal(
      alter(image, { isr: [2], leaderEpoch: p.leaderEpoch - 1, partitionEpoch: p.partitionEpoch }).response
        .topics[0]!.partitions[0]!.errorCode,
      ErrorCode.FENCED_LEADER_EPOCH,
    );
  });

  it('puts replicas leaving the ISR below min.insync.replicas into the ELR (KIP-966)', () => {
    const image = cluster();
    let p = apply(image, alter(image, { isr: [1, 2] }).records);
    assert.deepEqual(p.eligibleLeaderReplicas, [], 'still at min.insync.replicas: no ELR');
    p = apply(image, alter(image, { isr: [1] }).records);
    assert.deepEqual(p.eligibleLeaderReplicas, [2]);
    p = apply(image, alter(image, { isr: [1, 3] }).records);
    assert.deepEqual([p.eligibleLeaderReplicas, p.lastKnownElr], [[], []], 'back at min.insync.replicas');
  });
});

describe('elections on fencing, unfencing and ElectLeaders', () => {
  it('elects from the ISR with a new leader epoch when the leader is fenced', () => {
    const image = cluster();
    fence(image, 1);
    const r = brokerUnavailable(image, 1, settings());
    assert.deepEqual(
      r.records.map((x) => x.type),
      ['PartitionChangeRecord'],
    );
    const p = apply(image, r.records);
    assert.deepEqual([p.leader, p.isr, p.leaderEpoch], [2, [2, 3], 1]);
  });

  it('elects an ELR member when the ISR is empty, never a replica that fell behind', () => {
    const image = cluster();
    apply(image, alter(image, { isr: [1, 2] }).records); // 3 fell behind: out, no ELR
    apply(image, alter(image, { isr: [1] }).records); // 2 leaves below min.insync: ELR [2]
    fence(image, 2);
    fence(image, 1);
    let p = apply(image, brokerUnavailable(image, 1, settings()).records);
    assert.deepEqual([p.leader, p.isr, p.eligibleLeaderReplicas], [-1, [], [2, 1]]);
    const epoch = p.leaderEpoch;
    // Broker 3 is alive but not eligible: no unclean election by default.
    assert.deepEqual(brokerAvailable(image, 3, true, settings()).records, []);
    unfence(image, 2);
    p = apply(image, brokerAvailable(image, 2, true, settings()).records);
    assert.deepEqual([p.leader, p.isr, p.eligibleLeaderReplicas, p.leaderEpoch], [2, [2], [1], epoch + 1]);
  });

  it('drops a broker that shut down uncleanly from the ELR before electing', () => {
    const image = cluster([1, 2]);
    apply(image, alter(image, { isr: [1] }).records);
    fence(image, 1);
    fence(image, 2);
    apply(image, brokerUnavailable(image, 1, settings()).records);
    unfence(image, 2);
    const p = apply(image, brokerAvailable(image, 2, false, settings()).records);
    assert.equal(p.leader, -1, 'its unflushed records may be gone');
    assert.deepEqual(p.eligibleLeaderReplicas, [1]);
  });

  it('elects uncleanly only when asked, and says so', () => {
    const image = cluster([1]);
    fence(image, 1);
    apply(image, brokerUnavailable(image, 1, settings()).records);
    const none = electLeaders(image, ElectionType.UNCLEAN, [{ topic: 't', partitions: [0] }], settings());
    const r = none.response.results[0]!;
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.deepEqual(none.response.uncleanElections, [{ topic: 't', partition: 0, leader: 2 }]);
    const p = apply(image, none.records);
    assert.deepEqual([p.leader, p.isr, p.leaderRecoveryState], [2, [2], 1]);
    // With unclean.leader.election.enable the fencing itself elects uncleanly.
    const other = cluster([1]);
    fence(other, 1);
    const auto = brokerUnavailable(other, 1, settings({ unclean: true }));
    assert.deepEqual(auto.response.uncleanElections, [{ topic: 't', partition: 0, leader: 2 }]);
  });

  it('moves leadership to the preferred replica (ElectLeaders PREFERRED)', () => {
    const image = cluster();
    fence(image, 1);
    apply(image, brokerUnavailable(image, 1, settings()).records);
    const code = () =>
      electLeaders(image, ElectionType.PREFERRED, [{ topic: 't', partitions: [0] }], settings()).response
        .results[0]!.errorCode;
    assert.equal(code(), ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE);
    unfence(image, 1);
    assert.equal(code(), ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, 'not in the ISR yet');
    apply(image, alter(image, { isr: [2, 3, 1] }).records);
    const r = electLeaders(image, ElectionType.PREFERRED, null, settings());
    assert.deepEqual(r.response.results, [{ topic: 't', partitionId: 0, errorCode: 0, errorMessage: null }]);
    const p = apply(image, r.records);
    assert.equal(p.leader, 1);
    assert.equal(code(), ErrorCode.ELECTION_NOT_NEEDED);
    assert.deepEqual(electLeaders(image, ElectionType.PREFERRED, null, settings()).response.results, []);
  });
});
