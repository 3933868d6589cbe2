import { ErrorCode } from '../../protocol/error-codes.js';
import { applyMetadataRecord } from '../apply-metadata-record.js';
import { imageToRecords } from '../image-to-records.js';
import { type BrokerEndpoint, MetadataImage } from '../metadata-image.js';
import type { ControllerResult, MetadataRecord } from './metadata-record.js';
import {
  brokerAvailable,
  brokerUnavailable,
  type ElectionSettings,
  type UncleanElection,
} from './partition-elections.js';

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
 * and ReplicationControlManager answer registrations and missed heartbeats, as one batch of
 * records (one metadata append, so no reader sees half of it):
 *
 * 1. a registered, unfenced broker without a live session, or whose session is another
 *    incarnation or epoch (it restarted), is fenced (fenced = 1);
 * 2. every fenced (or shutting-down) broker leaves the ISRs and the partitions it led get new
 *    leaders from the ISR, else the ELR, in a new leader epoch (`brokerUnavailable`, KIP-966; with
 *    neither the partition has no leader until one returns, unless unclean election is enabled);
 * 3. a live broker whose registration is missing or from another incarnation or epoch is
 *    registered (RegisterBrokerRecord, unfenced: its session is live now); a fenced one whose
 *    session is back with the same epoch is unfenced (fenced = -1);
 * 4. partitions without a leader are elected again where a live broker may lead them
 *    (`brokerAvailable`).
 *
 * Each step reads the image as the steps before it left it. Pure: the same image and sessions
 * give the same records, in broker id and image order; nothing is written when nothing changed.
 */
export function reconcileBrokers(
  image: MetadataImage,
  live: ReadonlyMap<number, LiveBroker>,
  settings: ElectionSettings = DEFAULT_SETTINGS,
): ControllerResult<{ uncleanElections: UncleanElection[] }> {
  const records: MetadataRecord[] = [];
  const uncleanElections: UncleanElection[] = [];
  let scratch: MetadataImage | null = null;
  const add = (rs: readonly MetadataRecord[]): void => {
    if (rs.length === 0) return;
    scratch ??= copyOf(image);
    for (const r of rs) {
      applyMetadataRecord(scratch, r);
      records.push(r);
    }
  };
  const now = (): MetadataImage => scratch ?? image;
  const ids = [...new Set([...image.brokers.keys(), ...live.keys()])].sort((a, b) => a - b);
  for (const id of ids) {
    const registered = image.brokers.get(id);
    const session = live.get(id);
    if (registered && !registered.fenced && (!session || !sameSession(registered, session)))
      add([registrationChange(id, registered.brokerEpoch, 1)]);
  }
  for (const id of ids) {
    const b = now().brokers.get(id);
    if (!b || !(b.fenced || b.inControlledShutdown)) continue;
    const r = brokerUnavailable(now(), id, settings);
    add(r.records);
    uncleanElections.push(...r.response.uncleanElections);
  }
  for (const id of ids) {
    const registered = now().brokers.get(id);
    const session = live.get(id);
    if (!session) continue;
    if (!registered || !sameSession(registered, session)) {
      add([
        {
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
        },
      ]);
    } else if (registered.fenced) add([registrationChange(id, registered.brokerEpoch, -1)]);
  }
  for (const id of ids) {
    const b = now().brokers.get(id);
    if (!b || b.fenced || b.inControlledShutdown || !live.has(id)) continue;
    // A broker's process restart keeps what it wrote (the page cache survives it), so it comes
    // back as cleanly stopped for KIP-966; see docs/reliability.md for what this does not cover.
    const r = brokerAvailable(now(), id, true, settings);
    add(r.records);
    uncleanElections.push(...r.response.uncleanElections);
  }
  return { records, response: { uncleanElections } };
}

/** What a controlled shutdown answers: the partitions the broker still leads (none to move them to). */
export interface ControlledShutdownOutcome {
  readonly errorCode: number;
  readonly remaining: { topic: string; partition: number }[];
  readonly uncleanElections: UncleanElection[];
}

/**
 * A broker asks to stop (Kafka's BrokerHeartbeat with wantShutDown, KRaft's
 * handleBrokerInControlledShutdown; ControlledShutdown on the wire): it is marked in controlled
 * shutdown, so it may neither lead nor join an ISR (KIP-841), leaves every ISR, and each partition
 * it led gets a new leader from the ISR or ELR, in one batch. A request from another incarnation
 * is STALE_BROKER_EPOCH; a fenced broker has nothing to move. Answers with the partitions it
 * still leads afterwards (none unless no replica can take them).
 */
export function controlledShutdown(
  image: MetadataImage,
  brokerId: number,
  brokerEpoch: bigint,
  settings: ElectionSettings = DEFAULT_SETTINGS,
): ControllerResult<ControlledShutdownOutcome> {
  const b = image.brokers.get(brokerId);
  if (b === undefined || (brokerEpoch !== -1n && b.brokerEpoch !== brokerEpoch))
    return {
      records: [],
      response: { errorCode: ErrorCode.STALE_BROKER_EPOCH, remaining: [], uncleanElections: [] },
    };
  const records: MetadataRecord[] = [];
  let scratch = image;
  if (!b.fenced && !b.inControlledShutdown) {
    scratch = copyOf(image);
    const mark: MetadataRecord = {
      type: 'BrokerRegistrationChangeRecord',
      data: { brokerId, brokerEpoch: b.brokerEpoch, fenced: 0, inControlledShutdown: 1, logDirs: [] },
    };
    applyMetadataRecord(scratch, mark);
    records.push(mark);
  }
  const moved = brokerUnavailable(scratch, brokerId, settings);
  if (moved.records.length > 0 && scratch === image) scratch = copyOf(image);
  for (const r of moved.records) {
    applyMetadataRecord(scratch, r);
    records.push(r);
  }
  const remaining: { topic: string; partition: number }[] = [];
  for (const t of scratch.topicsById.values())
    for (const p of t.partitions.values())
      if (p.leader === brokerId) remaining.push({ topic: t.name, partition: p.partitionId });
  return {
    records,
    response: { errorCode: ErrorCode.NONE, remaining, uncleanElections: moved.response.uncleanElections },
  };
}

/** Kafka's defaults: min.insync.replicas 1, no unclean election, KIP-966 on. */
const DEFAULT_SETTINGS: ElectionSettings = {
  minInsyncReplicas: () => 1,
  uncleanLeaderElectionEnable: () => false,
  eligibleLeaderReplicasEnabled: true,
};

function sameSession(
  registered: { incarnationId: string; brokerEpoch: bigint },
  session: LiveBroker,
): boolean {
  return registered.incarnationId === session.incarnationId && registered.brokerEpoch === session.brokerEpoch;
}

/** A scratch copy to decide later steps on (only built when a step wrote something). */
function copyOf(image: MetadataImage): MetadataImage {
  const copy = new MetadataImage();
  for (const r of imageToRecords(image)) applyMetadataRecord(copy, r);
  return copy;
}

function registrationChange(brokerId: number, brokerEpoch: bigint, fenced: number): MetadataRecord {
  return {
    type: 'BrokerRegistrationChangeRecord',
    data: { brokerId, brokerEpoch, fenced, inControlledShutdown: 0, logDirs: [] },
  };
}
