import { statfsSync } from 'node:fs';
import type { BrokerServices } from './broker-services.js';
import type { OffsetCommitValue } from './group-coordinator/core/group-record-codec.js';
import type { SocketServer } from './network/socket-server.js';
import type { Purgatory } from './purgatory/purgatory.js';

/** A partition's state as monitoring reads it (Kafka's Log and Partition gauges). */
export interface PartitionView {
  readonly topic: string;
  readonly partition: number;
  readonly leaderId: number;
  readonly replicaCount: number;
  readonly isrCount: number;
  /** The topic's min.insync.replicas. */
  readonly minIsr: number;
  /** Null while the log is on disk but not opened yet (the broker loads logs after it listens). */
  readonly log: {
    readonly sizeBytes: number;
    readonly segmentCount: number;
    readonly logStartOffset: number;
    readonly logEndOffset: number;
    readonly highWatermark: number;
  } | null;
}

/** One quota id's rate and throttles (Kafka's byte-rate or request-time, and throttle-time, per user and client-id). */
export interface QuotaView {
  readonly type: 'Produce' | 'Fetch' | 'Request';
  /** '' where the quota that applies is not per user. */
  readonly user: string;
  /** '' where the quota that applies is not per client id. */
  readonly clientId: string;
  /** Bytes per second, or percent of a thread for Request. */
  readonly rate: number;
  /** Average throttle over the last minute, in ms; NaN when none was given. */
  readonly throttleTimeMs: number;
}

/** Why the broker is or is not ready to serve, each condition on its own (`/readyz`). */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: {
    /** Every partition log found on disk at startup has been opened (recovered if need be). */
    readonly logsLoaded: boolean;
    /** The Kafka listeners are bound and the broker is not shutting down. */
    readonly listenersBound: boolean;
    /**
     * This broker's registration is in the metadata and not fenced. A single node registers with
     * itself at startup; in a cluster this is where registration with the controller shows.
     */
    readonly registered: boolean;
  };
}

/**
 * Read-only views of a running broker for metrics, health checks and the console, computed when
 * asked (on a scrape), never on the request path.
 */
export class BrokerObserver {
  private closing = false;

  constructor(
    private readonly services: BrokerServices,
    private readonly server: SocketServer,
    private readonly producePurgatory: Purgatory,
    private readonly fetchPurgatory: Purgatory,
  ) {}

  /** The rates of clients that a configured quota applies to, seen in the last hour. */
  quotas(): QuotaView[] {
    const nowMs = this.services.clock.nowMs();
    const out: QuotaView[] = [];
    for (const m of this.services.quotas.all()) {
      if (!m.enabled) continue;
      for (const s of m.activeSensors()) {
        if (s.bound === Number.POSITIVE_INFINITY) continue;
        out.push({
          type: m.type,
          user: s.user,
          clientId: s.clientId,
          rate: s.rate.measure(nowMs),
          throttleTimeMs: s.throttleTimeMs.measure(nowMs),
        });
      }
    }
    return out;
  }

  get nodeId(): number {
    return this.services.nodeId;
  }

  get clusterId(): string {
    return this.services.clusterId;
  }

  /** @internal Broker.close marks the broker not ready before it stops listening. */
  markClosing(): void {
    this.closing = true;
  }

  readiness(): Readiness {
    const s = this.services;
    const registration = s.metadata.image.brokers.get(s.nodeId);
    const checks = {
      logsLoaded: s.replicas.logsLoaded,
      listenersBound: !this.closing && this.server.bound.length > 0,
      registered: registration !== undefined && !registration.fenced,
    };
    return { ready: checks.logsLoaded && checks.listenersBound && checks.registered, checks };
  }

  /** Calls `visit` for each partition this broker hosts. */
  forEachPartition(visit: (p: PartitionView) => void): void {
    for (const p of this.partitions()) visit(p);
  }

  /**
   * The hosted partitions' views, computed one at a time as the caller asks, so that a caller may
   * yield to the event loop between them (a partition created or deleted meanwhile may or may not
   * be visited, as with any live Map iteration).
   */
  *partitions(): IterableIterator<PartitionView> {
    const replicas = this.services.replicas;
    for (const p of replicas.all()) {
      const minIsr = replicas.topicConfig(p.topic)['min.insync.replicas'];
      const log = p.openedLog;
      yield {
        topic: p.topic,
        partition: p.partition,
        leaderId: p.leaderId,
        replicaCount: p.replicas.length,
        isrCount: p.isr.length,
        minIsr,
        log:
          log !== null
            ? {
                sizeBytes: log.sizeBytes,
                segmentCount: log.segmentList.count,
                logStartOffset: log.logStartOffset,
                logEndOffset: log.logEndOffset,
                highWatermark: log.highWatermark,
              }
            : replicas.logs.hasLog({ topic: p.topic, partition: p.partition })
              ? null
              : NEVER_WRITTEN,
      };
    }
  }

  /**
   * Every broker registered in the metadata, fenced ones too (DescribeCluster lists only the live
   * ones): its rack, whether it is fenced, and its first advertised endpoint.
   */
  registeredBrokers(): {
    nodeId: number;
    host: string;
    port: number;
    rack: string | null;
    fenced: boolean;
  }[] {
    return [...this.services.metadata.image.brokers.values()]
      .sort((a, b) => a.brokerId - b.brokerId)
      .map((b) => ({
        nodeId: b.brokerId,
        host: b.endPoints[0]?.host ?? '',
        port: b.endPoints[0]?.port ?? -1,
        rack: b.rack,
        fenced: b.fenced,
      }));
  }

  hasTopic(topic: string): boolean {
    return this.services.metadata.image.topicsByName.has(topic);
  }

  /** Topics and partitions in the metadata, and the partitions without a leader (offline). */
  clusterPartitions(): { topics: number; partitions: number; offline: number } {
    let partitions = 0;
    let offline = 0;
    for (const t of this.services.metadata.image.topicsByName.values()) {
      for (const p of t.partitions.values()) {
        partitions++;
        if (p.leader < 0) offline++;
      }
    }
    return { topics: this.services.metadata.image.topicsByName.size, partitions, offline };
  }

  /**
   * Whether this node is the active controller: a single node is its own controller; in an etcd
   * cluster the controller election (metadata/etcd/controller-election.ts) answers.
   */
  isActiveController(): boolean {
    return this.services.cluster ? this.services.cluster.isActiveController : true;
  }

  /**
   * Each log dir, whether it is online, and its file system's size and the bytes still usable by
   * the broker (statfs; null when it fails, e.g. on an offline dir).
   */
  logDirs(): { path: string; online: boolean; totalBytes: number | null; usableBytes: number | null }[] {
    return this.services.replicas.logs.logDirs().map((d) => {
      try {
        const st = statfsSync(d.path);
        return { ...d, totalBytes: st.blocks * st.bsize, usableBytes: st.bavail * st.bsize };
      } catch {
        return { ...d, totalBytes: null, usableBytes: null };
      }
    });
  }

  /** Delayed operations waiting in each purgatory, named as Kafka's delayedOperation tag. */
  purgatorySizes(): { Produce: number; Fetch: number } {
    return { Produce: this.producePurgatory.size, Fetch: this.fetchPurgatory.size };
  }

  connectionCountByListener(): Map<string, number> {
    return this.server.connectionCountByListener();
  }

  /** Every group's committed offsets, as topic → partition → value. */
  committedOffsets(): IterableIterator<
    [string, ReadonlyMap<string, ReadonlyMap<number, OffsetCommitValue>>]
  > {
    return this.services.groups.core.committedOffsets();
  }
}

/** A partition never written has no directory yet (it gets one on first use): an empty log. */
const NEVER_WRITTEN = { sizeBytes: 0, segmentCount: 0, logStartOffset: 0, logEndOffset: 0, highWatermark: 0 };
