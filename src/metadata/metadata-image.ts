import { AclIndex } from './acl/acl-index.js';
import {
  type ClientQuotaImageEntry,
  clientQuotaEntityKey,
  clientQuotaEntityOf,
} from './client-quota-entity.js';

/**
 * The in-memory state that replaying the metadata log produces: topics, partitions, configs,
 * brokers and features. It changes only through `apply*` methods fed by metadata records, so a
 * restart that replays the same records rebuilds the same image.
 */

export const ConfigResourceType = {
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
  CLIENT_METRICS: 16,
  GROUP: 32,
} as const;

/** A partition as the image holds it: its PartitionRecord without the topic id, kept current by changes. */
export type PartitionState = Omit<PartitionRecordData, 'topicId'> & { readonly partitionId: number };

export interface TopicImage {
  readonly name: string;
  readonly topicId: string;
  readonly partitions: Map<number, PartitionState>;
}

export interface BrokerEndpoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: number;
}

export interface BrokerRegistration {
  readonly brokerId: number;
  readonly incarnationId: string;
  readonly brokerEpoch: bigint;
  readonly endPoints: readonly BrokerEndpoint[];
  readonly rack: string | null;
  fenced: boolean;
  inControlledShutdown: boolean;
}

/** Field shapes of the metadata records the image applies (the generated record types satisfy them). */
export interface TopicRecordData {
  name: string;
  topicId: string;
}
export interface PartitionRecordData {
  partitionId: number;
  topicId: string;
  replicas: number[];
  isr: number[];
  removingReplicas: number[];
  addingReplicas: number[];
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  leaderRecoveryState: number;
  directories: string[];
  /** KIP-966: replicas outside the ISR that hold every committed record (null or absent: none). */
  eligibleLeaderReplicas?: number[] | null;
  /** KIP-966: the last members of the ELR, kept for an unclean recovery once the ELR emptied. */
  lastKnownElr?: number[] | null;
}
export interface PartitionChangeRecordData {
  partitionId: number;
  topicId: string;
  isr: number[] | null;
  leader: number;
  replicas: number[] | null;
  removingReplicas: number[] | null;
  addingReplicas: number[] | null;
  leaderRecoveryState: number;
  directories: string[] | null;
  /** null or absent: unchanged. */
  eligibleLeaderReplicas?: number[] | null;
  /** null or absent: unchanged. */
  lastKnownElr?: number[] | null;
}
export interface ConfigRecordData {
  resourceType: number;
  resourceName: string;
  name: string;
  value: string | null;
}

/** A user's SCRAM credential for one mechanism (UserScramCredentialRecord without the name and mechanism). */
export interface ScramCredentialData {
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
  readonly iterations: number;
}
export interface UserScramCredentialRecordData extends ScramCredentialData {
  name: string;
  /** Kafka's ScramMechanism type: 1 SCRAM-SHA-256, 2 SCRAM-SHA-512. */
  mechanism: number;
}

/** AccessControlEntryRecord: one ACL under its id. */
export interface AccessControlEntryRecordData {
  id: string;
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** ClientQuotaRecord's fields. */
export interface ClientQuotaRecordData {
  entity: { entityType: string; entityName: string | null }[];
  key: string;
  value: number;
  remove: boolean;
}

/** PartitionChangeRecord's Leader: -2 means "unchanged", -1 means "no leader". */
const LEADER_UNCHANGED = -2;

export class MetadataImage {
  clusterId = '';
  /** Offset of the last metadata record applied; -1 for an empty log. */
  offset = -1n;
  readonly topicsById = new Map<string, TopicImage>();
  readonly topicsByName = new Map<string, TopicImage>();
  /** Config overrides by resource type, then resource name ('' for the cluster-wide broker default). */
  readonly configs = new Map<number, Map<string, Map<string, string>>>();
  readonly brokers = new Map<number, BrokerRegistration>();
  readonly features = new Map<string, number>();
  /** SCRAM credentials by user name, then mechanism type (UserScramCredentialRecord). */
  readonly scramCredentials = new Map<string, Map<number, ScramCredentialData>>();
  /** ACLs (AccessControlEntryRecord), indexed for the authorizer. */
  readonly acls = new AclIndex();
  /** Client quotas by entity (clientQuotaEntityKey), as Kafka's ClientQuotasImage; an entity without values is removed. */
  readonly clientQuotas = new Map<string, ClientQuotaImageEntry>();
  nextProducerId = 0n;

  topic(name: string): TopicImage | undefined {
    return this.topicsByName.get(name);
  }

  partition(topic: string, partition: number): PartitionState | undefined {
    return this.topicsByName.get(topic)?.partitions.get(partition);
  }

  configsOf(resourceType: number, resourceName: string): ReadonlyMap<string, string> {
    return this.configs.get(resourceType)?.get(resourceName) ?? new Map();
  }

  applyTopic(r: TopicRecordData): void {
    const t: TopicImage = { name: r.name, topicId: r.topicId, partitions: new Map() };
    this.topicsById.set(r.topicId, t);
    this.topicsByName.set(r.name, t);
  }

  applyPartition(r: PartitionRecordData): void {
    const t = this.topicsById.get(r.topicId);
    if (!t) throw new Error(`PartitionRecord for unknown topic id ${r.topicId}`);
    t.partitions.set(r.partitionId, {
      partitionId: r.partitionId,
      replicas: [...r.replicas],
      isr: [...r.isr],
      removingReplicas: [...r.removingReplicas],
      addingReplicas: [...r.addingReplicas],
      leader: r.leader,
      leaderEpoch: r.leaderEpoch,
      partitionEpoch: r.partitionEpoch,
      leaderRecoveryState: r.leaderRecoveryState,
      directories: [...r.directories],
      eligibleLeaderReplicas: [...(r.eligibleLeaderReplicas ?? [])],
      lastKnownElr: [...(r.lastKnownElr ?? [])],
    });
  }

  /** Applies a change; a leader change bumps the leader epoch, every change bumps the partition epoch. */
  applyPartitionChange(r: PartitionChangeRecordData): void {
    const p = this.topicsById.get(r.topicId)?.partitions.get(r.partitionId);
    if (!p) throw new Error(`PartitionChangeRecord for unknown partition ${r.topicId}-${r.partitionId}`);
    if (r.isr) p.isr = [...r.isr];
    if (r.replicas) p.replicas = [...r.replicas];
    if (r.removingReplicas) p.removingReplicas = [...r.removingReplicas];
    if (r.addingReplicas) p.addingReplicas = [...r.addingReplicas];
    if (r.directories) p.directories = [...r.directories];
    if (r.eligibleLeaderReplicas) p.eligibleLeaderReplicas = [...r.eligibleLeaderReplicas];
    if (r.lastKnownElr) p.lastKnownElr = [...r.lastKnownElr];
    if (r.leaderRecoveryState >= 0) p.leaderRecoveryState = r.leaderRecoveryState;
    if (r.leader !== LEADER_UNCHANGED) {
      p.leader = r.leader;
      p.leaderEpoch++;
    }
    p.partitionEpoch++;
  }

  applyRemoveTopic(topicId: string): void {
    const t = this.topicsById.get(topicId);
    if (!t) return;
    this.topicsById.delete(topicId);
    this.topicsByName.delete(t.name);
    this.configs.get(ConfigResourceType.TOPIC)?.delete(t.name);
  }

  applyConfig(r: ConfigRecordData): void {
    let byName = this.configs.get(r.resourceType);
    if (!byName) {
      byName = new Map();
      this.configs.set(r.resourceType, byName);
    }
    let entries = byName.get(r.resourceName);
    if (!entries) {
      entries = new Map();
      byName.set(r.resourceName, entries);
    }
    if (r.value === null) entries.delete(r.name);
    else entries.set(r.name, r.value);
  }

  applyBroker(b: BrokerRegistration): void {
    this.brokers.set(b.brokerId, b);
  }

  /**
   * Fences or unfences a registration, as Kafka's ClusterControlManager replays
   * BrokerRegistrationChangeRecord: only for the registration of that broker epoch, so a change
   * meant for an older incarnation does not touch a newer one.
   */
  applyBrokerRegistrationChange(r: {
    brokerId: number;
    brokerEpoch: bigint;
    fenced: number;
    inControlledShutdown: number;
  }): void {
    const b = this.brokers.get(r.brokerId);
    if (!b || b.brokerEpoch !== r.brokerEpoch) return;
    if (r.fenced === 1) b.fenced = true;
    else if (r.fenced === -1) b.fenced = false;
    if (r.inControlledShutdown === 1) b.inControlledShutdown = true;
  }

  applyUserScramCredential(r: UserScramCredentialRecordData): void {
    let byMechanism = this.scramCredentials.get(r.name);
    if (!byMechanism) {
      byMechanism = new Map();
      this.scramCredentials.set(r.name, byMechanism);
    }
    byMechanism.set(r.mechanism, {
      salt: r.salt,
      storedKey: r.storedKey,
      serverKey: r.serverKey,
      iterations: r.iterations,
    });
  }

  applyRemoveUserScramCredential(name: string, mechanism: number): void {
    const byMechanism = this.scramCredentials.get(name);
    byMechanism?.delete(mechanism);
    if (byMechanism?.size === 0) this.scramCredentials.delete(name);
  }

  applyAccessControlEntry(r: AccessControlEntryRecordData): void {
    this.acls.add({ ...r });
  }

  applyRemoveAccessControlEntry(id: string): void {
    this.acls.remove(id);
  }

  /** Sets or removes one quota of one entity, as Kafka's ClientQuotaControlManager.replay. */
  applyClientQuota(r: ClientQuotaRecordData): void {
    const entity = clientQuotaEntityOf(r.entity);
    const key = clientQuotaEntityKey(entity);
    let entry = this.clientQuotas.get(key);
    if (r.remove) {
      entry?.values.delete(r.key);
      if (entry?.values.size === 0) this.clientQuotas.delete(key);
      return;
    }
    if (!entry) {
      entry = { entity, values: new Map() };
      this.clientQuotas.set(key, entry);
    }
    entry.values.set(r.key, r.value);
  }

  applyFeatureLevel(name: string, level: number): void {
    if (level === 0) this.features.delete(name);
    else this.features.set(name, level);
  }
}
