import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { Random } from '../common/random.js';
import type { StaticBrokerConfig } from '../metadata/config-resolver.js';
import type { MetadataManager } from '../metadata/metadata-manager.js';
import type { ClusterMembership } from './cluster/cluster-membership.js';
import type { ForwardingContext } from './cluster/forwarding.js';
import type { BrokerConfig } from './config/broker-config.js';
import type { FetchSessionCache } from './fetch/fetch-session-cache.js';
import type { GroupCoordinatorShell } from './group-coordinator/shell/group-coordinator-shell.js';
import type { ProducerIdManager } from './producer-ids/producer-id-manager.js';
import type { ClientQuotas } from './quota/client-quotas.js';
import type { ReplicaManager } from './replica/replica-manager.js';
import type { Authorizer } from './security/authorizer.js';
import type { TransactionCoordinatorShell } from './transaction-coordinator/shell/transaction-coordinator-shell.js';
import type { TxnMarkerAppendDeps } from './transaction-coordinator/shell/txn-marker-append.js';

export interface BrokerEndpoint {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

/** What request handlers share: the broker's identity, configuration, metadata and partitions. */
export interface BrokerServices {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly config: BrokerConfig;
  /** The broker's own keys, as DescribeConfigs reports their sources. */
  readonly staticConfig: StaticBrokerConfig;
  readonly metadata: MetadataManager;
  readonly replicas: ReplicaManager;
  readonly fetchSessions: FetchSessionCache;
  readonly groups: GroupCoordinatorShell;
  readonly transactions: TransactionCoordinatorShell;
  /** What WriteTxnMarkers and the local transaction coordinator append markers with. */
  readonly txnMarkerAppend: TxnMarkerAppendDeps;
  /** Producer ids for InitProducerId, in blocks allocated through the metadata log. */
  readonly producerIds: ProducerIdManager;
  /** What handlers ask before they act (authorizer.class.name); allows everything when unset. */
  readonly authorizer: Authorizer;
  /** Client quotas (producer_byte_rate, consumer_byte_rate, request_percentage) from the metadata image. */
  readonly quotas: ClientQuotas;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** Live brokers as clients on `listenerName` reach them (Kafka answers per listener). */
  brokerEndpoints(listenerName: string): BrokerEndpoint[];
  /** The active controller's node id (this node on a single node; -1 in a cluster while none is elected). */
  controllerId(): number;
  /** This broker's membership of an etcd cluster; null on a single node. */
  readonly cluster: ClusterMembership | null;
  /** Whether metadata changes go to another broker (the active controller), and the channel to it. */
  readonly forwarding: ForwardingContext;
}
