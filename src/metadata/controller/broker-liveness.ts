import type { BrokerEndpoint, MetadataImage } from '../metadata-image.js';
import type { ControllerResult, MetadataRecord } from './metadata-record.js';

/** PartitionChangeRecord's values for "unchanged" (-2) and "no leader" (-1). */
const LEADER_UNCHANGED = -2;
const NO_LEADER = -1;

/** A broker that holds a live session: what its registration key in etcd says. */
export interface LiveBroker {
  readonly brokerId: number;
  readonly incarnationId: string;
  /** The broker epoch: the etcd revision that created this session's registration key. */
  readonly brokerEpoch: bigint;
  readonly endPoints: readonly BrokerEndpoint[];
  readonly rack: string | null;
}

/**
 * The controller's answer to the set of live broker sessions, as Kafka's ClusterControlManager
 * and ReplicationControlManager answer registrations and missed heartbeats:
 *
 * - a live broker whose registration is missing or from another incarnation or epoch is registered
 *   (RegisterBrokerRecord, unfenced: its session is live now); a fenced one whose session is back
 *   with the same epoch is unfenced (BrokerRegistrationChangeRecord fenced = -1);
 * - a registered, unfenced broker without a live session is fenced (fenced = 1);
 * - each partition led by a broker fenced now loses its leader (PartitionChangeRecord leader -1,
 *   which bumps the leader epoch): with replication factor 1 it is offline until its broker comes
 *   back, then the first ISR replica that is live again leads it, in a new leader epoch.
 *
 * Pure: the same image and sessions give the same records, in broker id and image order.
 */
export function reconcileBrokers(
  image: MetadataImage,
  live: ReadonlyMap<number, LiveBroker>,
): ControllerResult<void> {
  const records: MetadataRecord[] = [];
  const usable = new Set<number>();
  const ids = [...new Set([...image.brokers.keys(), ...live.keys()])].sort((a, b) => a - b);
  for (const id of ids) {
    const registered = image.brokers.get(id);
    const session = live.get(id);
    if (session) {
      usable.add(id);
      if (
        !registered ||
        registered.incarnationId !== session.incarnationId ||
        registered.brokerEpoch !== session.brokerEpoch
      ) {
        records.push({
          type: 'RegisterBrokerRecord',
          data: {
            brokerId: id,
            incarnationId: session.incarnationId,
            brokerEpoch: session.brokerEpoch,
            endPoints: session.endPoints.map((e) => ({ ...e })),
            features: [],
            rack: session.rack,
            fenced: false,
            inControlledShutdown: false,
          },
        });
      } else if (registered.fenced) {
        records.push(registrationChange(id, registered.brokerEpoch, -1));
      }
    } else if (registered && !registered.fenced) {
      records.push(registrationChange(id, registered.brokerEpoch, 1));
    }
  }
  for (const topic of image.topicsById.values()) {
    for (const p of topic.partitions.values()) {
      let leader = LEADER_UNCHANGED;
      if (p.leader !== NO_LEADER && !usable.has(p.leader)) leader = NO_LEADER;
      else if (p.leader === NO_LEADER) leader = p.isr.find((r) => usable.has(r)) ?? LEADER_UNCHANGED;
      if (leader === LEADER_UNCHANGED) continue;
      records.push({
        type: 'PartitionChangeRecord',
        data: {
          partitionId: p.partitionId,
          topicId: topic.topicId,
          isr: null,
          leader,
          replicas: null,
          removingReplicas: null,
          addingReplicas: null,
          leaderRecoveryState: -1,
          directories: null,
        },
      });
    }
  }
  return { records, response: undefined };
}

function registrationChange(brokerId: number, brokerEpoch: bigint, fenced: number): MetadataRecord {
  return {
    type: 'BrokerRegistrationChangeRecord',
    data: { brokerId, brokerEpoch, fenced, inControlledShutdown: 0, logDirs: [] },
  };
}
