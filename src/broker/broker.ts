import { type Clock, systemClock, type TimerHandle } from '../common/clock.js';
import { type Logger, noopLogger } from '../common/logger.js';
import { type Random, randomUuid, systemRandom } from '../common/random.js';
import { effectiveTopicConfig, resolveTopicConfigs } from '../metadata/config-resolver.js';
import type { EtcdKv } from '../metadata/etcd/etcd-kv.js';
import { LocalMetadataLog } from '../metadata/local-metadata-log.js';
import { ConfigResourceType } from '../metadata/metadata-image.js';
import { MetadataManager } from '../metadata/metadata-manager.js';
import { LogManager } from '../storage/log-manager.js';
import { readClusterId } from '../storage/meta-properties.js';
import { advertisedEndpoints } from './advertised-endpoints.js';
import { brokerHandlers, saslAuthenticator } from './broker-handlers.js';
import type { BrokerMetrics } from './broker-metrics.js';
import { BrokerObserver } from './broker-observer.js';
import { registerBroker } from './broker-registration.js';
import type { BrokerEndpoint, BrokerServices } from './broker-services.js';
import { AutoLeaderRebalance } from './cluster/auto-leader-rebalance.js';
import { ClusterMembership } from './cluster/cluster-membership.js';
import { moveLeadershipBeforeShutdown } from './cluster/controlled-shutdown-client.js';
import type { BrokerConfig } from './config/broker-config.js';
import { staticBrokerConfig } from './config/broker-config-describer.js';
import { electionSettings } from './election-settings.js';
import { FetchSessionCache } from './fetch/fetch-session-cache.js';
import { GroupCoordinatorShell } from './group-coordinator/shell/group-coordinator-shell.js';
import { LocalRequests } from './local-requests.js';
import { type BoundListener, SocketServer } from './network/socket-server.js';
import { ProducerIdManager } from './producer-ids/producer-id-manager.js';
import { Purgatory } from './purgatory/purgatory.js';
import { ClientQuotas } from './quota/client-quotas.js';
import { AlterPartitionSender } from './replica/alter-partition-sender.js';
import { ReplicaFetcherManager } from './replica/replica-fetcher.js';
import { ReplicaManager } from './replica/replica-manager.js';
import { RequestDispatcher } from './request-dispatcher.js';
import { Authorizer, parseSuperUsers } from './security/authorizer.js';
import { listenerSecurity } from './security/listener-security.js';
import type { SaslAuthenticator } from './security/sasl/sasl-authenticator.js';
import { ClusterTransactionMarkerSender } from './transaction-coordinator/shell/cluster-transaction-marker-sender.js';
import { LocalTransactionMarkerSender } from './transaction-coordinator/shell/local-transaction-marker-sender.js';
import { TransactionCoordinatorShell } from './transaction-coordinator/shell/transaction-coordinator-shell.js';

/**
 * How long a __transaction_state record may wait to be committed: Kafka's TransactionStateManager
 * uses the broker's request.timeout.ms, 30 s by default.
 */
const TXN_APPEND_TIMEOUT_MS = 30_000;

/**
 * How long a stopping broker waits for the controller to move its leadership (Kafka's brokers wait
 * for the controller's shouldShutDown): past it, it stops anyway and its session's end fails the
 * partitions over as a crash would. Well inside `strom server`'s 5 s shutdown deadline: moving
 * leadership is one metadata append and its arrival here.
 */
const CONTROLLED_SHUTDOWN_LIMIT_MS = 3_000;

export interface BrokerOptions {
  readonly logger?: Logger;
  /** Request and byte counts for monitoring; none by default, at no cost. */
  readonly metrics?: BrokerMetrics;
  readonly clock?: Clock;
  readonly random?: Random;
  /** The etcd client of a cluster; by default one over `metadata.etcd.endpoints` (tests wrap it to delay or cut it). */
  readonly etcdKv?: EtcdKv;
}

/**
 * One Strom node: storage, the metadata log and image, the replica manager and the network.
 * `Broker.start` brings them up in dependency order and returns once the broker is listening;
 * `close` stops accepting, finishes in-flight requests, and shuts storage down cleanly.
 */
export class Broker {
  private closing: Promise<void> | null = null;

  private constructor(
    readonly services: BrokerServices,
    private readonly logs: LogManager,
    private readonly server: SocketServer,
    private readonly purgatories: Purgatory[],
    readonly listeners: readonly BoundListener[],
    /** Read-only views for metrics, health checks and the console. */
    readonly observer: BrokerObserver,
    /** Kafka requests made in this process (the web console), answered by the same handlers. */
    readonly localRequests: LocalRequests,
    /** Checks SASL credentials as the SASL listeners do (the web console's login). */
    readonly sasl: SaslAuthenticator,
    /** The follower side of replication in a cluster; null on a single node. */
    private readonly replication: { fetchers: ReplicaFetcherManager; stop: () => void } | null,
  ) {}

  static async start(config: BrokerConfig, options: BrokerOptions = {}): Promise<Broker> {
    const logger = options.logger ?? noopLogger;
    const clock = options.clock ?? systemClock;
    const random = options.random ?? systemRandom;
    for (const w of config.warnings) logger.warn({}, w);
    const nodeId = config.nodeId;
    const logDirs = config.logDirs;
    // Keystores and truststores are read before anything opens: a bad one stops the start at once.
    const security = listenerSecurity(config);
    // In a cluster (metadata.etcd.endpoints set) the cluster id and the metadata log live in etcd.
    const cluster = ClusterMembership.create({
      config,
      clock,
      logger: logger.child({ component: 'cluster' }),
      ...(options.etcdKv ? { kv: options.etcdKv } : {}),
    });
    let clusterId: string;
    try {
      clusterId = cluster
        ? await cluster.clusterId(existingClusterId(logDirs), randomUuid(random))
        : (existingClusterId(logDirs) ?? config.get('cluster.id') ?? randomUuid(random));
    } catch (err) {
      await cluster?.kv.close();
      throw err;
    }

    let replicas: ReplicaManager | null = null;
    const logs = LogManager.open({
      logDirs,
      clusterId,
      nodeId,
      topicConfig: (topic) => replicas?.logConfigFor(topic) ?? {},
      logger: logger.child({ component: 'storage' }),
      retentionCheckIntervalMs: config.get('log.retention.check.interval.ms'),
      checkpointIntervalMs: config.get('log.flush.offset.checkpoint.interval.ms'),
      producerIdExpirationMs: config.get('producer.id.expiration.ms'),
      producerIdExpirationCheckIntervalMs: config.get('producer.id.expiration.check.interval.ms'),
    });
    let metadataManager: MetadataManager | null = null;
    let serverStarted: SocketServer | null = null;
    try {
      const metadata = new MetadataManager(
        cluster ? cluster.metadataLog() : LocalMetadataLog.open(logDirs[0]!, logger),
        logger.child({ component: 'metadata' }),
        config.get('metadata.log.max.record.bytes.between.snapshots'),
      );
      metadataManager = metadata;
      await metadata.load();
      cluster?.openControllerChannel(metadata);
      const staticConfig = staticBrokerConfig(config);
      const topicConfig = (topic: string) =>
        effectiveTopicConfig(resolveTopicConfigs(metadata.image, topic, nodeId, staticConfig));
      const producePurgatory = new Purgatory(clock);
      const fetchPurgatory = new Purgatory(clock);
      replicas = new ReplicaManager(
        nodeId,
        logs,
        topicConfig,
        config.get('strom.log.fsync.on.ack') ? 'fsync' : 'default',
        producePurgatory,
        fetchPurgatory,
        logger.child({ component: 'replicas' }),
        options.metrics ?? null,
      );
      const replicaManager = replicas;
      const fetchers = cluster
        ? wireReplication(config, cluster, metadata, replicaManager, logs, clock, logger)
        : null;
      const groups = new GroupCoordinatorShell({
        nodeId,
        config,
        replicas: replicaManager,
        clock,
        random,
        logger: logger.child({ component: 'group-coordinator' }),
      });
      const forwarding = {
        mustForward: () => cluster !== null && !cluster.isActiveController,
        channel: () => cluster?.channel ?? null,
        catchUp: () => metadata.catchUp(),
      };
      const producerIds = new ProducerIdManager(
        metadata,
        nodeId,
        cluster ? { forwarding, brokerEpoch: () => cluster.brokerEpoch } : null,
      );
      const txnMarkerAppend = {
        nodeId,
        replicas: replicaManager,
        logger: logger.child({ component: 'transaction-markers' }),
        onOffsetsMarker: (producerId: bigint, commit: boolean, partitions: number[]) =>
          groups.onTransactionMarker(producerId, commit, partitions),
      };
      const transactions = new TransactionCoordinatorShell({
        nodeId,
        config,
        replicas: replicaManager,
        markers: cluster
          ? new ClusterTransactionMarkerSender({
              nodeId,
              local: new LocalTransactionMarkerSender(txnMarkerAppend),
              client: () => cluster.interBroker,
              image: () => metadata.image,
              listenerName: config.listenerConfig.interBrokerListenerName,
              logger: logger.child({ component: 'transaction-markers' }),
            })
          : new LocalTransactionMarkerSender(txnMarkerAppend),
        generateProducerId: () => producerIds.generateProducerId(),
        clock,
        logger: logger.child({ component: 'transaction-coordinator' }),
        appendTimeoutMs: TXN_APPEND_TIMEOUT_MS,
      });
      const quotas = ClientQuotas.fromConfig(config);
      quotas.update(metadata.image);
      let bound: BoundListener[] = [];
      const services: BrokerServices = {
        nodeId,
        clusterId,
        config,
        staticConfig,
        metadata,
        replicas: replicaManager,
        fetchSessions: new FetchSessionCache(config.get('max.incremental.fetch.session.cache.slots'), clock),
        groups,
        transactions,
        txnMarkerAppend,
        producerIds,
        authorizer: new Authorizer(
          {
            enabled: (config.get('authorizer.class.name') ?? '') !== '',
            superUsers: parseSuperUsers(config.get('super.users')),
            allowEveryoneIfNoAclFound: config.get('allow.everyone.if.no.acl.found'),
          },
          () => metadata.image.acls,
          logger.child({ component: 'authorizer' }),
        ),
        quotas,
        clock,
        random,
        logger,
        brokerEndpoints: (listenerName) => brokerEndpoints(services, listenerName, bound),
        controllerId: () => (cluster ? cluster.controllerId : nodeId),
        cluster,
        forwarding,
      };
      metadata.onChange((records, image) => {
        const changedTopics = new Set<string>();
        let brokerDefaultsChanged = false;
        if (records.some((r) => r.type === 'ClientQuotaRecord')) quotas.update(image);
        for (const r of records) {
          // A topic created again under an old name must not keep the old topic's configs.
          if (r.type === 'TopicRecord') changedTopics.add(r.data.name);
          if (r.type !== 'ConfigRecord') continue;
          if (r.data.resourceType === ConfigResourceType.TOPIC) changedTopics.add(r.data.resourceName);
          else brokerDefaultsChanged = true;
        }
        if (brokerDefaultsChanged) for (const t of image.topicsByName.keys()) changedTopics.add(t);
        return replicaManager
          .applyImage(image, changedTopics)
          .then(() => {
            groups.onMetadata(image);
            transactions.onMetadata(image);
          })
          .catch((err) => logger.error({ err }, 'applying metadata failed'));
      });
      await replicaManager.applyImage(metadata.image, new Set(metadata.image.topicsByName.keys()));
      groups.onMetadata(metadata.image);
      transactions.onMetadata(metadata.image);
      for (const stray of replicaManager.strayPartitions()) {
        logger.warn(
          { topic: stray.topic, partition: stray.partition },
          'partition log on disk is not in the metadata; left untouched',
        );
      }
      logs.startScheduler();

      // ApiVersions advertises what the dispatcher serves, so it asks the dispatcher built from this list.
      const sasl = saslAuthenticator(services);
      const handlers = brokerHandlers(services, () => dispatcher.supportedApis(), sasl);
      const dispatcher: RequestDispatcher = new RequestDispatcher(
        handlers,
        logger.child({ component: 'network' }),
        options.metrics ?? null,
        sasl,
        config.get('sasl.server.max.receive.size'),
        quotas,
      );
      const server = new SocketServer(
        dispatcher.handleFrame,
        {
          maxFrameBytes: config.get('socket.request.max.bytes'),
          maxInFlight: config.get('queued.max.requests'),
          maxQueuedResponseBytes: config.get('strom.queued.max.response.bytes'),
          idleTimeoutMs: config.get('connections.max.idle.ms'),
        },
        logger.child({ component: 'network' }),
        {
          backlog: config.get('socket.listen.backlog.size'),
          maxConnections: config.get('max.connections'),
          queuedMaxRequestBytes: config.get('queued.max.request.bytes'),
        },
      );
      serverStarted = server;
      bound = await server.start(config.listeners, security.tls);
      replicaManager.loadInBackground();
      if (cluster) {
        await cluster.join(
          metadata,
          advertisedEndpoints(config, bound),
          randomUuid(random),
          {
            suspend: () => replicaManager.setLeadershipSuspended(true),
            resume: () => replicaManager.setLeadershipSuspended(false),
          },
          electionSettings(replicaManager),
        );
      } else {
        await registerBroker(services, bound, random);
      }
      logger.info(
        { nodeId, clusterId, listeners: bound.map((b) => `${b.name}://${b.host}:${b.boundPort}`) },
        'broker started',
      );
      const observer = new BrokerObserver(services, server, producePurgatory, fetchPurgatory);
      const localRequests = new LocalRequests(
        handlers,
        () => bound[0]?.name ?? '',
        logger.child({ component: 'local-requests' }),
      );
      return new Broker(
        services,
        logs,
        server,
        [producePurgatory, fetchPurgatory],
        bound,
        observer,
        localRequests,
        sasl,
        fetchers,
      );
    } catch (err) {
      await cluster?.close().catch(() => undefined);
      await metadataManager?.close().catch(() => undefined);
      if (!metadataManager) await cluster?.kv.close().catch(() => undefined);
      await serverStarted?.close().catch(() => undefined);
      await logs.shutdown().catch(() => undefined);
      throw err;
    }
  }

  /** host:port of the first listener, as clients bootstrap with it. */
  get bootstrap(): string {
    const l = this.listeners[0]!;
    const host = l.host === '' || l.host === '0.0.0.0' || l.host === '::' ? 'localhost' : l.host;
    return `${host.includes(':') ? `[${host}]` : host}:${l.boundPort}`;
  }

  /**
   * In a cluster, before anything stops: the controller moves this broker's leadership to other
   * in-sync replicas (and out of the ISRs) while it still serves, so acks=all producers are told
   * NOT_LEADER_OR_FOLLOWER and retry on the new leaders rather than time out (bounded).
   */
  private async controlledShutdown(): Promise<void> {
    const s = this.services;
    const cluster = s.cluster;
    const channel = cluster?.channel;
    if (!cluster || !channel || cluster.brokerEpoch < 0n) return;
    const me = s.metadata.image.brokers.get(s.nodeId);
    if (me === undefined || me.fenced) return;
    await moveLeadershipBeforeShutdown({
      channel,
      metadata: s.metadata,
      nodeId: s.nodeId,
      brokerEpoch: cluster.brokerEpoch,
      clock: s.clock,
      logger: s.logger.child({ component: 'controlled-shutdown' }),
      limitMs: CONTROLLED_SHUTDOWN_LIMIT_MS,
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const log = this.services.logger;
      log.info({}, 'broker shutting down');
      this.observer.markClosing();
      await this.controlledShutdown();
      // Parked joins and syncs would hold the drain for their rebalance timeout: answer them now.
      this.services.groups.close();
      this.services.transactions.close();
      this.replication?.stop();
      await this.server.close();
      for (const p of this.purgatories) p.expireAll();
      // Ending the session first lets the controller fence this broker at once, not after the timeout.
      await this.services.cluster?.close();
      await this.services.metadata.close();
      await this.logs.shutdown();
      log.info({}, 'broker stopped');
    })();
    return this.closing;
  }
}

/**
 * Replication in a cluster: the replica fetchers (followers fetch from their leaders on the
 * inter-broker listener), AlterPartition from leaders to the active controller, the periodic
 * ISR check (Kafka's isr-expiration task, every replica.lag.time.max.ms / 2), and, while this
 * broker is the controller, the preferred-leader rebalance (auto.leader.rebalance.enable).
 */
function wireReplication(
  config: BrokerConfig,
  cluster: ClusterMembership,
  metadata: MetadataManager,
  replicas: ReplicaManager,
  logs: LogManager,
  clock: Clock,
  logger: Logger,
): { fetchers: ReplicaFetcherManager; stop: () => void } {
  const listenerName = config.listenerConfig.interBrokerListenerName;
  const fetchers = new ReplicaFetcherManager({
    settings: {
      nodeId: config.nodeId,
      fetchMaxBytes: config.get('replica.fetch.max.bytes'),
      fetchResponseMaxBytes: config.get('replica.fetch.response.max.bytes'),
      fetchWaitMaxMs: config.get('replica.fetch.wait.max.ms'),
      fetchMinBytes: config.get('replica.fetch.min.bytes'),
      fetchBackoffMs: config.get('replica.fetch.backoff.ms'),
      socketTimeoutMs: config.get('replica.socket.timeout.ms'),
      numFetchers: config.get('num.replica.fetchers'),
      listenerName,
    },
    client: () => cluster.interBroker,
    image: () => metadata.image,
    brokerEpoch: () => cluster.brokerEpoch,
    logs,
    clock,
    logger: logger.child({ component: 'replica-fetcher' }),
    onLogChanged: (p) => replicas.fetchPurgatory.checkAndComplete(p.key),
  });
  const alterPartition = new AlterPartitionSender({
    channel: () => cluster.channel,
    nodeId: config.nodeId,
    brokerEpoch: () => cluster.brokerEpoch,
    clock,
    logger: logger.child({ component: 'alter-partition' }),
    onAnswer: (p, proposal, answer) => replicas.onAlterPartitionAnswer(p, proposal, answer),
    retryBackoffMs: config.get('replica.fetch.backoff.ms'),
  });
  const lagMs = config.get('replica.lag.time.max.ms');
  replicas.setReplication({
    clock,
    replicaLagTimeMaxMs: lagMs,
    eligibleLeaderReplicasEnabled: true,
    isrEligibility: (id) => {
      const b = metadata.image.brokers.get(id);
      return b !== undefined && !b.fenced && !b.inControlledShutdown ? b.brokerEpoch : null;
    },
    sendAlterPartition: (p, proposal) => alterPartition.send(p, proposal),
    follow: (p) => fetchers.follow(p),
    unfollow: (p) => fetchers.unfollow(p),
  });
  const rebalance = config.get('auto.leader.rebalance.enable')
    ? new AutoLeaderRebalance({
        metadata,
        isActiveController: () => cluster.isActiveController,
        settings: electionSettings(replicas),
        intervalMs: config.get('leader.imbalance.check.interval.seconds') * 1000,
        imbalancePercentage: config.get('leader.imbalance.per.broker.percentage'),
        clock,
        logger: logger.child({ component: 'leader-rebalance' }),
      })
    : null;
  let stopped = false;
  let timer: TimerHandle | null = null;
  const tick = (): void => {
    if (stopped) return;
    replicas.tickLeaders();
    timer = clock.setTimer(Math.max(1, Math.floor(lagMs / 2)), tick);
  };
  timer = clock.setTimer(Math.max(1, Math.floor(lagMs / 2)), tick);
  return {
    fetchers,
    stop: () => {
      stopped = true;
      timer?.cancel();
      rebalance?.close();
      fetchers.close();
    },
  };
}

function existingClusterId(logDirs: readonly string[]): string | null {
  for (const d of logDirs) {
    const id = readClusterId(d);
    if (id) return id;
  }
  return null;
}

/**
 * Brokers as clients reach them on a listener: advertised host, and the bound port when 0 was asked
 * for. A broker without that listener is left out, as Kafka's KRaftMetadataCache.getAliveBrokerNodes
 * does: a client of one listener is never sent to another listener's port.
 */
function brokerEndpoints(
  s: BrokerServices,
  listenerName: string,
  bound: readonly BoundListener[],
): BrokerEndpoint[] {
  const out: BrokerEndpoint[] = [];
  for (const b of s.metadata.image.brokers.values()) {
    if (b.fenced) continue;
    const ep = b.endPoints.find((e) => e.name === listenerName);
    if (!ep) continue;
    let port = ep.port;
    if (b.brokerId === s.nodeId && port === 0) port = bound.find((l) => l.name === ep.name)?.boundPort ?? 0;
    out.push({ nodeId: b.brokerId, host: ep.host, port, rack: b.rack });
  }
  return out.sort((a, b) => a.nodeId - b.nodeId);
}
