import { ErrorCode } from '../../protocol/error-codes.js';
import { ClientError, checkErrorCode, KafkaError } from '../client-error.js';
import { groupBy } from '../collections.js';
import { Apis } from '../network/apis.js';
import type { BrokerInfo, Cluster, TopicInfo } from '../network/cluster.js';
import { isStaleMetadataError } from '../network/cluster.js';
import { withRetry } from '../network/retry.js';
import { listOffsets, type OffsetAnswer, OffsetSpec } from '../operations/list-offsets.js';
import {
  type AclBinding,
  type AclBindingFilter,
  type AclCreationResult,
  type AclDeletionResult,
  createAcls,
  deleteAcls,
  describeAcls,
} from './acl-admin.js';
import { GroupAdmin } from './group-admin.js';
import {
  alterClientQuotas,
  type ClientQuotaAlteration,
  type ClientQuotaAlterationResult,
  type ClientQuotaDescription,
  type ClientQuotaFilter,
  describeClientQuotas,
} from './quota-admin.js';
import {
  alterUserScramCredentials,
  describeUserScramCredentials,
  type ScramAlteration,
  type ScramUserDescription,
  type ScramUserResult,
} from './scram-admin.js';
import {
  type AbortTransactionSpec,
  abortTransaction,
  describeProducers,
  describeTransactions,
  fenceProducers,
  type ListTransactionsOptions,
  listTransactions,
  type PartitionProducers,
  type TransactionDescription,
  type TransactionListing,
} from './transaction-admin.js';

export interface AdminOptions {
  signal?: AbortSignal;
  /** How long the controller may take (CreateTopics and the like), default 30000. */
  timeoutMs?: number;
  validateOnly?: boolean;
}

export interface NewTopic {
  topic: string;
  /** -1 for the broker's default. */
  numPartitions?: number;
  /** -1 for the broker's default. */
  replicationFactor?: number;
  configs?: { [name: string]: string };
}

/** ConfigResource.Type values. */
export const ResourceType = { Topic: 2, Broker: 4, BrokerLogger: 8, ClientMetrics: 16, Group: 32 } as const;
export type ResourceTypeName = 'topic' | 'broker';

export interface ConfigResource {
  type: ResourceTypeName;
  name: string;
  /** Only these keys; all when absent. */
  keys?: string[];
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  isSensitive: boolean;
  source: number;
}

/** IncrementalAlterConfigs operations (KIP-339). */
export type AlterConfigOp = 'set' | 'delete' | 'append' | 'subtract';
const ALTER_OP: Readonly<Record<AlterConfigOp, number>> = { set: 0, delete: 1, append: 2, subtract: 3 };

export interface ConfigAlteration {
  type: ResourceTypeName;
  name: string;
  configs: { name: string; op?: AlterConfigOp; value?: string | null }[];
}

export interface ClusterDescription {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerInfo[];
}

export type OffsetTimestamp = 'earliest' | 'latest' | number | bigint;

function resourceType(t: ResourceTypeName): number {
  return t === 'topic' ? ResourceType.Topic : ResourceType.Broker;
}

function toSpec(t: OffsetTimestamp): bigint {
  if (t === 'earliest') return OffsetSpec.Earliest;
  if (t === 'latest') return OffsetSpec.Latest;
  return BigInt(t);
}

/** Cluster administration: topics, partitions, configs, records, groups, offsets. */
export class Admin extends GroupAdmin {
  constructor(cluster: Cluster, ownsCluster = true) {
    super(cluster, ownsCluster);
  }

  /** The controller for CreateTopics and the like; any broker forwards them in KRaft clusters. */
  private async controller(signal?: AbortSignal): Promise<number> {
    await this.cluster.refreshMetadata([], signal);
    const id = this.cluster.controllerId;
    if (id >= 0 && this.cluster.brokers.has(id)) return id;
    return (await this.cluster.anyConnection(signal)).options.nodeId;
  }

  private retrying<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withRetry(fn, {
      retries: this.cluster.options.retries,
      backoff: this.cluster.options.backoff,
      signal,
      onRetry: async (err) => {
        if (
          isStaleMetadataError(err) ||
          err.kafkaCode === null ||
          err.kafkaCode === ErrorCode.NOT_CONTROLLER
        ) {
          await this.cluster.refreshMetadata([], signal);
        }
      },
    });
  }

  async createTopics(topics: readonly NewTopic[], options: AdminOptions = {}): Promise<void> {
    const res = await this.retrying(async () => {
      const node = await this.controller(options.signal);
      return this.cluster.request(
        node,
        Apis.CreateTopics,
        {
          topics: topics.map((t) => ({
            name: t.topic,
            numPartitions: t.numPartitions ?? -1,
            replicationFactor: t.replicationFactor ?? -1,
            assignments: [],
            configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
          })),
          timeoutMs: options.timeoutMs ?? 30000,
          validateOnly: options.validateOnly ?? false,
        },
        { signal: options.signal },
      );
    }, options.signal);
    for (const t of res.topics) checkErrorCode(t.errorCode, t.name, t.errorMessage);
  }

  async deleteTopics(topics: readonly string[], options: AdminOptions = {}): Promise<void> {
    const res = await this.retrying(async () => {
      const node = await this.controller(options.signal);
      return this.cluster.request(
        node,
        Apis.DeleteTopics,
        {
          topicNames: [...topics],
          topics: topics.map((name) => ({ name })),
          timeoutMs: options.timeoutMs ?? 30000,
        },
        { signal: options.signal },
      );
    }, options.signal);
    for (const t of res.responses) checkErrorCode(t.errorCode, t.name ?? t.topicId, t.errorMessage);
    for (const t of topics) this.cluster.topics.delete(t);
  }

  /** Names of all topics; internal ones (such as __consumer_offsets) only when asked. */
  async listTopics(options: { includeInternal?: boolean; signal?: AbortSignal } = {}): Promise<string[]> {
    const res = await this.cluster.requestAny(
      Apis.Metadata,
      (version) => ({ topics: version === 0 ? [] : null }),
      {
        signal: options.signal,
      },
    );
    return res.topics
      .filter((t) => t.errorCode === 0 && t.name !== null && (options.includeInternal || !t.isInternal))
      .map((t) => t.name!)
      .sort();
  }

  async describeTopics(
    topics: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<TopicInfo[]> {
    await this.cluster.refreshMetadata(topics, options.signal);
    return this.cluster.topicsMetadata(topics, options.signal);
  }

  /** Grows topics to `count` partitions each. */
  async createPartitions(
    increases: readonly { topic: string; count: number }[],
    options: AdminOptions = {},
  ): Promise<void> {
    const res = await this.retrying(async () => {
      const node = await this.controller(options.signal);
      return this.cluster.request(
        node,
        Apis.CreatePartitions,
        {
          topics: increases.map((i) => ({ name: i.topic, count: i.count, assignments: null })),
          timeoutMs: options.timeoutMs ?? 30000,
          validateOnly: options.validateOnly ?? false,
        },
        { signal: options.signal },
      );
    }, options.signal);
    for (const r of res.results) checkErrorCode(r.errorCode, r.name, r.errorMessage);
  }

  async describeConfigs(
    resources: readonly ConfigResource[],
    options: { signal?: AbortSignal } = {},
  ): Promise<{ type: ResourceTypeName; name: string; configs: ConfigEntry[] }[]> {
    const res = await this.cluster.requestAny(
      Apis.DescribeConfigs,
      {
        resources: resources.map((r) => ({
          resourceType: resourceType(r.type),
          resourceName: r.name,
          configurationKeys: r.keys ?? null,
        })),
        includeSynonyms: false,
        includeDocumentation: false,
      },
      { signal: options.signal },
    );
    return res.results.map((r, i) => {
      checkErrorCode(r.errorCode, r.resourceName, r.errorMessage);
      return {
        type: resources[i]!.type,
        name: r.resourceName,
        configs: r.configs.map((c) => ({
          name: c.name,
          value: c.value,
          readOnly: c.readOnly,
          // v0 has isDefault; v1+ reports the source, where 5 is DEFAULT_CONFIG.
          isDefault: c.isDefault || c.configSource === 5,
          isSensitive: c.isSensitive,
          source: c.configSource,
        })),
      };
    });
  }

  /** IncrementalAlterConfigs (KIP-339): only the named keys change. */
  async alterConfigs(alterations: readonly ConfigAlteration[], options: AdminOptions = {}): Promise<void> {
    const res = await this.cluster.requestAny(
      Apis.IncrementalAlterConfigs,
      {
        resources: alterations.map((a) => ({
          resourceType: resourceType(a.type),
          resourceName: a.name,
          configs: a.configs.map((c) => ({
            name: c.name,
            configOperation: ALTER_OP[c.op ?? 'set'],
            value: c.value ?? null,
          })),
        })),
        validateOnly: options.validateOnly ?? false,
      },
      { signal: options.signal },
    );
    for (const r of res.responses) checkErrorCode(r.errorCode, r.resourceName, r.errorMessage);
  }

  /** Deletes records before `offset` in each partition (-1: up to the high watermark); returns new low watermarks. */
  async deleteRecords(
    topic: string,
    partitions: readonly { partition: number; offset: bigint }[],
    options: AdminOptions = {},
  ): Promise<{ partition: number; lowWatermark: bigint }[]> {
    return this.retrying(async () => {
      await this.cluster.topicsMetadata([topic], options.signal);
      const byLeader = groupBy(partitions, (p) => this.cluster.leaderFor(topic, p.partition));
      const results = await Promise.all(
        [...byLeader].map(async ([leader, ps]) => {
          if (leader < 0) throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, topic);
          const res = await this.cluster.request(
            leader,
            Apis.DeleteRecords,
            {
              topics: [
                {
                  name: topic,
                  partitions: ps.map((p) => ({ partitionIndex: p.partition, offset: p.offset })),
                },
              ],
              timeoutMs: options.timeoutMs ?? 30000,
            },
            { signal: options.signal },
          );
          return res.topics.flatMap((t) =>
            t.partitions.map((p) => {
              checkErrorCode(p.errorCode, `${t.name}-${p.partitionIndex}`);
              return { partition: p.partitionIndex, lowWatermark: p.lowWatermark };
            }),
          );
        }),
      );
      return results.flat().sort((a, b) => a.partition - b.partition);
    }, options.signal);
  }

  /**
   * ElectLeaders (Java's Admin.electLeaders): a PREFERRED or UNCLEAN election for the given
   * partitions, or for every partition (null; then those needing none are left out). Returns each
   * partition's error code (NONE, ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
   * ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION...) and message.
   */
  async electLeaders(
    electionType: 'preferred' | 'unclean',
    partitions: readonly { topic: string; partition: number }[] | null,
    options: AdminOptions = {},
  ): Promise<{ topic: string; partition: number; errorCode: number; errorMessage: string | null }[]> {
    const res = await this.retrying(async () => {
      const node = await this.controller(options.signal);
      const r = await this.cluster.request(
        node,
        Apis.ElectLeaders,
        {
          electionType: electionType === 'preferred' ? 0 : 1,
          topicPartitions:
            partitions === null
              ? null
              : [...groupBy(partitions, (p) => p.topic)].map(([topic, ps]) => ({
                  topic,
                  partitions: ps.map((p) => p.partition),
                })),
          timeoutMs: options.timeoutMs ?? 30000,
        },
        { signal: options.signal },
      );
      checkErrorCode(r.errorCode, 'ElectLeaders');
      return r;
    }, options.signal);
    return res.replicaElectionResults.flatMap((t) =>
      t.partitionResult.map((p) => ({
        topic: t.topic,
        partition: p.partitionId,
        errorCode: p.errorCode,
        errorMessage: p.errorMessage,
      })),
    );
  }

  /** Offsets by time: 'earliest', 'latest', or the first offset at or after a timestamp (ms). */
  listOffsets(
    queries: readonly { topic: string; partition: number; timestamp: OffsetTimestamp }[],
    options: { signal?: AbortSignal; isolationLevel?: 'read_uncommitted' | 'read_committed' } = {},
  ): Promise<OffsetAnswer[]> {
    return listOffsets(
      this.cluster,
      queries.map((q) => ({ topic: q.topic, partition: q.partition, timestamp: toSpec(q.timestamp) })),
      { signal: options.signal, isolationLevel: options.isolationLevel === 'read_committed' ? 1 : 0 },
    );
  }

  /** Transactional ids every broker coordinates (ListTransactions, KIP-664), with filters. */
  listTransactions(options: ListTransactionsOptions = {}): Promise<TransactionListing[]> {
    return listTransactions(this.cluster, options);
  }

  /** Transactional ids' state at their coordinators (DescribeTransactions, KIP-664). */
  describeTransactions(
    transactionalIds: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<TransactionDescription[]> {
    return describeTransactions(this.cluster, transactionalIds, options.signal);
  }

  /** Producers each partition remembers, at the leader or at `brokerId` (DescribeProducers, KIP-664). */
  describeProducers(
    partitions: readonly { topic: string; partition: number }[],
    options: { brokerId?: number; signal?: AbortSignal } = {},
  ): Promise<PartitionProducers[]> {
    return describeProducers(this.cluster, partitions, options);
  }

  /** Writes an abort marker for a hanging transaction on one partition (KIP-664). */
  abortTransaction(spec: AbortTransactionSpec, options: { signal?: AbortSignal } = {}): Promise<void> {
    return abortTransaction(this.cluster, spec, options.signal);
  }

  /** Fences the producers of transactional ids by bumping their epochs (KIP-618). */
  fenceProducers(
    transactionalIds: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<{ transactionalId: string; producerId: bigint; producerEpoch: number }[]> {
    return fenceProducers(this.cluster, transactionalIds, options.signal);
  }

  /** Cluster id, controller and brokers: DescribeCluster (KIP-700) where supported, else Metadata. */
  async describeCluster(options: { signal?: AbortSignal } = {}): Promise<ClusterDescription> {
    const conn = await this.cluster.anyConnection(options.signal);
    if (conn.versionOf(Apis.DescribeCluster.apiKey) !== undefined) {
      const res = await conn.request(
        Apis.DescribeCluster,
        { includeClusterAuthorizedOperations: false, endpointType: 1 },
        options,
      );
      checkErrorCode(res.errorCode, 'DescribeCluster', res.errorMessage);
      return {
        clusterId: res.clusterId,
        controllerId: res.controllerId,
        brokers: res.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })),
      };
    }
    await this.cluster.refreshMetadata([], options.signal);
    if (this.cluster.brokers.size === 0) throw new ClientError('NO_BROKERS', 'metadata lists no brokers');
    return {
      clusterId: this.cluster.clusterId,
      controllerId: this.cluster.controllerId,
      brokers: [...this.cluster.brokers.values()],
    };
  }

  /** SCRAM credentials of users (KIP-554): set with a password (salted here) or removed; one result per user. */
  alterUserScramCredentials(
    alterations: readonly ScramAlteration[],
    options: { signal?: AbortSignal } = {},
  ): Promise<ScramUserResult[]> {
    return alterUserScramCredentials(this.cluster, alterations, options.signal);
  }

  /** The quotas of the entities the filter matches (KIP-546; every entity for no components). */
  describeClientQuotas(
    filter: ClientQuotaFilter = { components: [] },
    options: { signal?: AbortSignal } = {},
  ): Promise<ClientQuotaDescription[]> {
    return describeClientQuotas(this.cluster, filter, options.signal);
  }

  /** Sets (a value) or removes (null) quotas of users and client ids (KIP-546); one result per entity. */
  alterClientQuotas(
    alterations: readonly ClientQuotaAlteration[],
    options: { validateOnly?: boolean; signal?: AbortSignal } = {},
  ): Promise<ClientQuotaAlterationResult[]> {
    return alterClientQuotas(this.cluster, alterations, options);
  }

  /** The SCRAM mechanisms and iterations of users (all users when `users` is omitted). */
  describeUserScramCredentials(
    users?: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<ScramUserDescription[]> {
    return describeUserScramCredentials(this.cluster, users, options.signal);
  }

  /** CreateAcls: one result per ACL, in order (errorCode 0 when created or already there). */
  createAcls(
    bindings: readonly AclBinding[],
    options: { signal?: AbortSignal } = {},
  ): Promise<AclCreationResult[]> {
    return createAcls(this.cluster, bindings, options.signal);
  }

  /** DescribeAcls: the ACLs the filter matches (every ACL for an empty filter). */
  describeAcls(filter: AclBindingFilter = {}, options: { signal?: AbortSignal } = {}): Promise<AclBinding[]> {
    return describeAcls(this.cluster, filter, options.signal);
  }

  /** DeleteAcls: per filter, the ACLs it removed or its error. */
  deleteAcls(
    filters: readonly AclBindingFilter[],
    options: { signal?: AbortSignal } = {},
  ): Promise<AclDeletionResult[]> {
    return deleteAcls(this.cluster, filters, options.signal);
  }
}
