import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { ElectionSettings } from '../../metadata/controller/partition-elections.js';
import { BrokerLivenessController } from '../../metadata/etcd/broker-liveness-controller.js';
import { BrokerSession } from '../../metadata/etcd/broker-session.js';
import { ControllerElection } from '../../metadata/etcd/controller-election.js';
import { EtcdHttpClient } from '../../metadata/etcd/etcd-http-client.js';
import type { EtcdKv } from '../../metadata/etcd/etcd-kv.js';
import { EtcdMetadataLog } from '../../metadata/etcd/etcd-metadata-log.js';
import type { BrokerEndpoint } from '../../metadata/metadata-image.js';
import type { MetadataManager } from '../../metadata/metadata-manager.js';
import { METADATA_VERSION_LEVEL } from '../advertised-endpoints.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { type InterBrokerSecurity, interBrokerSecurity } from '../security/inter-broker-security.js';
import { resolveClusterId } from './cluster-id.js';
import { ControllerChannel } from './controller-channel.js';
import { InterBrokerClient } from './inter-broker-client.js';

export interface ClusterMembershipOptions {
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The etcd client; by default one over `metadata.etcd.endpoints` (tests pass fakes). */
  readonly kv?: EtcdKv;
}

/** What the broker does when its session is lost and when it is registered again. */
export interface LeadershipGate {
  /** The session expired: stop acting as a leader (Kafka: a fenced broker). */
  suspend(): void;
  /** Registered again and caught up with the metadata: lead what the image says. */
  resume(): void;
}

/**
 * A broker's place in an etcd cluster (`metadata.etcd.endpoints` set): the cluster id kept in
 * etcd, the shared metadata log (every append guarded by the controller election), the broker's
 * session (registration with its endpoints, renewed by heartbeats), the controller campaign, and,
 * while this broker is the active controller, the liveness controller that registers and fences
 * brokers from their sessions. Built in two steps because the session needs the bound ports:
 * `create` before storage opens, `join` once the listeners are bound.
 */
export class ClusterMembership {
  readonly election: ControllerElection;
  private session: BrokerSession | null = null;
  private liveness: BrokerLivenessController | null = null;
  private client: InterBrokerClient | null = null;
  /** Requests to the active controller; null until `openControllerChannel`. */
  channel: ControllerChannel | null = null;
  private readonly prefix: string;
  private readonly heartbeatMs: number;

  private constructor(
    readonly kv: EtcdKv,
    private readonly options: ClusterMembershipOptions,
    private readonly security: InterBrokerSecurity,
  ) {
    this.prefix = options.config.get('metadata.etcd.prefix');
    this.heartbeatMs = options.config.get('broker.heartbeat.interval.ms');
    this.election = new ControllerElection({
      kv,
      prefix: this.prefix,
      nodeId: options.config.nodeId,
      lease: () => this.session?.lease ?? null,
      clock: options.clock,
      retryMs: this.heartbeatMs,
      logger: options.logger,
    });
  }

  /** The membership of a broker configured with etcd endpoints; null on a single node. */
  static create(options: ClusterMembershipOptions): ClusterMembership | null {
    const endpoints = options.config.get('metadata.etcd.endpoints');
    if (!endpoints || endpoints.length === 0) return null;
    // Read before anything connects: credentials missing for the inter-broker listener stop the start.
    const security = interBrokerSecurity(options.config);
    const kv =
      options.kv ??
      new EtcdHttpClient(
        endpoints.map((e) => e.replace(/\/+$/, '')),
        options.logger,
      );
    return new ClusterMembership(kv, options, security);
  }

  /** The cluster id from etcd (created by the first broker); refuses a broker of another cluster. */
  clusterId(fromLogDirs: string | null, generated: string): Promise<string> {
    return resolveClusterId(this.kv, this.prefix, {
      fromLogDirs,
      fromConfig: this.options.config.get('cluster.id'),
      generated,
    });
  }

  /** The cluster's metadata log in etcd; this broker's appends land only while it is the controller. */
  metadataLog(): EtcdMetadataLog {
    return new EtcdMetadataLog({
      kv: this.kv,
      prefix: this.prefix,
      logger: this.options.logger,
      guard: () => this.election.guard(),
      now: () => this.options.clock.nowMs(),
    });
  }

  /**
   * Opens the channel to the active controller (forwarded admin requests, topic creation, producer
   * id blocks) over the inter-broker listener, with its security; call once the metadata is loaded.
   */
  openControllerChannel(metadata: MetadataManager): ControllerChannel {
    const { config, clock, logger } = this.options;
    this.client = new InterBrokerClient(`strom-broker-${config.nodeId}`, logger, this.security);
    this.channel = new ControllerChannel(this.client, {
      controllerId: () => this.election.controllerId,
      image: () => metadata.image,
      listenerName: config.listenerConfig.interBrokerListenerName,
      clock,
      logger,
    });
    return this.channel;
  }

  /** Connections to the other brokers (transaction markers go through it too); null before the channel opens. */
  get interBroker(): InterBrokerClient | null {
    return this.client;
  }

  /** The active controller's node id as last seen; -1 while there is none. */
  get controllerId(): number {
    return this.election.controllerId;
  }

  get isActiveController(): boolean {
    return this.election.active;
  }

  /** The broker epoch of the current session (-1 before registration). */
  get brokerEpoch(): bigint {
    return this.session?.brokerEpoch ?? -1n;
  }

  /**
   * Registers this broker (refused with BrokerIdInUseError when its node.id is held by a live
   * session), campaigns for the controller, and waits until the metadata shows this broker
   * registered and unfenced, so that clients never see a started broker missing from Metadata.
   */
  async join(
    metadata: MetadataManager,
    endPoints: readonly BrokerEndpoint[],
    incarnationId: string,
    gate: LeadershipGate,
    electionSettings?: ElectionSettings,
  ): Promise<void> {
    const { config, clock, logger } = this.options;
    const nodeId = config.nodeId;
    const sessionTimeoutMs = config.get('broker.session.timeout.ms');
    this.liveness = new BrokerLivenessController({
      kv: this.kv,
      prefix: this.prefix,
      election: this.election,
      metadata,
      clock,
      logger,
      retryMs: this.heartbeatMs,
      ...(electionSettings !== undefined && { electionSettings }),
    });
    // The first controller of a cluster records the metadata.version, as a single node does.
    this.election.onElected(() => {
      void metadata
        .submit((image) => ({
          records: image.features.has('metadata.version')
            ? []
            : [
                {
                  type: 'FeatureLevelRecord' as const,
                  data: { name: 'metadata.version', featureLevel: METADATA_VERSION_LEVEL },
                },
              ],
          response: undefined,
        }))
        .catch((err: unknown) =>
          logger.warn({ err: (err as Error).message }, 'could not record metadata.version'),
        );
    });
    const session = new BrokerSession({
      kv: this.kv,
      prefix: this.prefix,
      brokerId: nodeId,
      incarnationId,
      endPoints,
      rack: config.get('broker.rack'),
      sessionTimeoutMs,
      heartbeatIntervalMs: this.heartbeatMs,
      clock,
      logger,
    });
    this.session = session;
    session.onLost(() => {
      gate.suspend();
      this.election.resign();
    });
    session.onRegistered(() => {
      this.election.start();
      // Lead again only once the records written while this broker was away are applied.
      void metadata.catchUp().then(
        () => gate.resume(),
        () => gate.resume(),
      );
    });
    await session.start();
    await this.waitForRegistration(metadata, nodeId, 2 * sessionTimeoutMs);
  }

  private async waitForRegistration(
    metadata: MetadataManager,
    nodeId: number,
    limitMs: number,
  ): Promise<void> {
    const { clock, logger } = this.options;
    const deadline = clock.monotonicMs() + limitMs;
    for (;;) {
      const b = metadata.image.brokers.get(nodeId);
      if (b && !b.fenced && b.brokerEpoch === this.brokerEpoch) return;
      if (clock.monotonicMs() >= deadline) {
        logger.warn(
          { nodeId, waitedMs: limitMs },
          'no active controller registered this broker yet; serving, and registering when one is elected',
        );
        return;
      }
      await new Promise<void>((resolve) => clock.setTimer(50, resolve));
      await metadata.catchUp().catch(() => undefined);
    }
  }

  /** Ends the session (the controller fences this broker at once) and the controller role. */
  async close(): Promise<void> {
    this.client?.close();
    this.liveness?.close();
    await this.election.close();
    await this.session?.close();
  }
}
