import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { Logger } from '../../common/logger.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { MessageInput } from '../../protocol/message-codec.js';
import type { BackoffOptions } from '../backoff.js';
import { ClientError, KafkaError } from '../client-error.js';
import type { ClientApi } from './apis.js';
import { Apis } from './apis.js';
import { BrokerConnection, type RequestOptions } from './broker-connection.js';
import { withRetry } from './retry.js';
import type { SaslOptions } from './sasl-mechanism.js';

export interface ClusterOptions {
  bootstrapServers: readonly string[];
  clientId: string;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  /** Metadata older than this is refreshed before use (metadata.max.age.ms). */
  metadataMaxAgeMs: number;
  retries: number;
  backoff: BackoffOptions;
  logger: Logger;
  /** Caps on API versions by API key (see KafkaConfig.maxApiVersions). */
  maxVersions?: ReadonlyMap<number, number>;
  /** Ask brokers to auto-create topics named in Metadata requests (allow.auto.create.topics). */
  allowAutoTopicCreation: boolean;
  /** TLS options for every connection; plaintext when absent. */
  tls?: TlsConnectionOptions;
  sasl?: SaslOptions;
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionInfo {
  partition: number;
  /** -1 while there is no leader. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  topicId: string;
  isInternal: boolean;
  partitions: PartitionInfo[];
}

/** Errors after which the partition's leader may have moved: refresh metadata, then retry. */
const STALE_METADATA_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
]);

export function isStaleMetadataError(err: unknown): boolean {
  return err instanceof ClientError && err.kafkaCode !== null && STALE_METADATA_ERRORS.has(err.kafkaCode);
}

function parseHostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  if (i <= 0) return { host: s, port: 9092 };
  return { host: s.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(s.slice(i + 1)) };
}

/**
 * What the client knows of the cluster: brokers and topic partitions from Metadata, and one
 * connection per broker. Metadata refreshes are coalesced: concurrent callers share one request.
 */
export class Cluster {
  readonly brokers = new Map<number, BrokerInfo>();
  readonly topics = new Map<string, TopicInfo>();
  clusterId: string | null = null;
  controllerId = -1;
  private readonly connections = new Map<number, BrokerConnection>();
  private readonly bootstrap: BrokerConnection[] = [];
  private readonly interest = new Set<string>();
  private refreshing: Promise<void> | null = null;
  private refreshedAtMs = 0;
  private closed = false;
  readonly log: Logger;

  constructor(readonly options: ClusterOptions) {
    this.log = options.logger;
    if (options.bootstrapServers.length === 0) {
      throw new ClientError('INVALID_ARGUMENT', 'bootstrap servers must not be empty');
    }
  }

  private newConnection(nodeId: number, host: string, port: number): BrokerConnection {
    const o = this.options;
    return new BrokerConnection({
      host,
      port,
      nodeId,
      clientId: o.clientId,
      connectTimeoutMs: o.connectTimeoutMs,
      requestTimeoutMs: o.requestTimeoutMs,
      logger: o.logger,
      maxVersions: o.maxVersions,
      ...(o.tls ? { tls: o.tls } : {}),
      ...(o.sasl ? { sasl: o.sasl } : {}),
    });
  }

  private checkOpen(): void {
    if (this.closed) throw new ClientError('CLIENT_CLOSED', 'the client is closed');
  }

  /** The connection to a broker, reopened if the last one closed. */
  connectionTo(nodeId: number): BrokerConnection {
    this.checkOpen();
    let c = this.connections.get(nodeId);
    if (c && !c.isClosed) return c;
    const b = this.brokers.get(nodeId);
    if (!b) throw new ClientError('NO_BROKERS', `broker ${nodeId} is not in the metadata`);
    c = this.newConnection(nodeId, b.host, b.port);
    this.connections.set(nodeId, c);
    return c;
  }

  /** Any reachable broker: known brokers first (in random order), then the bootstrap list. */
  async anyConnection(signal?: AbortSignal): Promise<BrokerConnection> {
    this.checkOpen();
    const open = [...this.connections.values()].find((c) => c.connected);
    if (open) return open;
    const ids = [...this.brokers.keys()].sort(() => Math.random() - 0.5);
    let lastErr: unknown;
    // Every address tried and why it failed, for an error a user can act on.
    const tried: string[] = [];
    for (const id of ids) {
      try {
        const c = this.connectionTo(id);
        await c.connect(signal);
        return c;
      } catch (err) {
        lastErr = err;
        const b = this.brokers.get(id);
        tried.push(`${b?.host}:${b?.port} (${connectFailure(err)})`);
        // A refused authentication is the caller's to see as is (Java's SaslAuthenticationException).
        if (
          err instanceof ClientError &&
          (err.code === 'ABORTED' || err.code === 'SASL_AUTHENTICATION_FAILED')
        )
          throw err;
      }
    }
    for (const [i, server] of this.options.bootstrapServers.entries()) {
      const existing = this.bootstrap[i];
      if (existing && !existing.isClosed) {
        try {
          await existing.connect(signal);
          return existing;
        } catch (err) {
          lastErr = err;
          if (err instanceof ClientError && err.code === 'SASL_AUTHENTICATION_FAILED') throw err;
          tried.push(`${server} (${connectFailure(err)})`);
          continue;
        }
      }
      const { host, port } = parseHostPort(server);
      const c = this.newConnection(-1, host, port);
      this.bootstrap[i] = c;
      try {
        await c.connect(signal);
        return c;
      } catch (err) {
        lastErr = err;
        // A refused authentication is the caller's to see as is (Java's SaslAuthenticationException).
        if (
          err instanceof ClientError &&
          (err.code === 'ABORTED' || err.code === 'SASL_AUTHENTICATION_FAILED')
        )
          throw err;
        tried.push(`${server} (${connectFailure(err)})`);
      }
    }
    throw new ClientError('NO_BROKERS', `no broker is reachable: tried ${tried.join(', ')}`, {
      cause: lastErr,
    });
  }

  /** Sends to any broker, retrying retriable failures on another connection. */
  requestAny<Req, Res>(
    api: ClientApi<Req, Res>,
    body: MessageInput<Req> | ((version: number) => MessageInput<Req>),
    options: RequestOptions = {},
  ): Promise<Res> {
    return withRetry(async () => (await this.anyConnection(options.signal)).request(api, body, options), {
      retries: this.options.retries,
      backoff: this.options.backoff,
      signal: options.signal,
    });
  }

  /** Sends to one broker, without retry (callers decide, since they may need to re-route). */
  async request<Req, Res>(
    nodeId: number,
    api: ClientApi<Req, Res>,
    body: MessageInput<Req> | ((version: number) => MessageInput<Req>),
    options: RequestOptions = {},
  ): Promise<Res> {
    return this.connectionTo(nodeId).request(api, body, options);
  }

  /** Adds topics to those kept up to date, so refreshes include them. */
  track(topics: Iterable<string>): void {
    for (const t of topics) this.interest.add(t);
  }

  get trackedTopics(): ReadonlySet<string> {
    return this.interest;
  }

  /** Refreshes metadata for the tracked topics (and `topics`), sharing an in-flight refresh. */
  refreshMetadata(topics: Iterable<string> = [], signal?: AbortSignal): Promise<void> {
    this.track(topics);
    if (this.refreshing) return this.refreshing;
    this.refreshing = withRetry(() => this.fetchMetadata(signal), {
      retries: this.options.retries,
      backoff: this.options.backoff,
      signal,
    }).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async fetchMetadata(signal?: AbortSignal): Promise<void> {
    const conn = await this.anyConnection(signal);
    const names = [...this.interest];
    const res = await conn.request(
      Apis.Metadata,
      (version) => ({
        // v0 reads an empty list as "all topics"; an empty list from v1 on means none.
        topics: names.length === 0 && version > 0 ? [] : names.map((name) => ({ name })),
        allowAutoTopicCreation: this.options.allowAutoTopicCreation,
      }),
      { signal },
    );
    this.brokers.clear();
    for (const b of res.brokers)
      this.brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack });
    this.clusterId = res.clusterId;
    this.controllerId = res.controllerId;
    for (const t of res.topics) {
      if (t.name === null) continue;
      if (t.errorCode !== 0) {
        this.topics.delete(t.name);
        continue;
      }
      const partitions: PartitionInfo[] = t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          leader: p.errorCode === ErrorCode.LEADER_NOT_AVAILABLE ? -1 : p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          errorCode: p.errorCode,
        }))
        .sort((a, b) => a.partition - b.partition);
      this.topics.set(t.name, { name: t.name, topicId: t.topicId, isInternal: t.isInternal, partitions });
    }
    this.refreshedAtMs = performance.now();
    // A bootstrap connection has done its job once real node ids are known.
    for (const c of this.bootstrap) c?.close();
    this.bootstrap.length = 0;
  }

  /** Metadata for topics, refreshing when unknown or stale; fails with UNKNOWN_TOPIC_OR_PARTITION. */
  async topicsMetadata(topics: readonly string[], signal?: AbortSignal): Promise<TopicInfo[]> {
    const stale = performance.now() - this.refreshedAtMs > this.options.metadataMaxAgeMs;
    if (stale || topics.some((t) => !this.topics.has(t))) await this.refreshMetadata(topics, signal);
    return withRetry(
      async () => {
        return topics.map((t) => {
          const info = this.topics.get(t);
          if (!info) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, t);
          return info;
        });
      },
      {
        retries: this.options.retries,
        backoff: this.options.backoff,
        signal,
        onRetry: () => this.refreshMetadata(topics, signal),
      },
    );
  }

  /** The leader of a partition from the cached metadata, or -1. */
  leaderFor(topic: string, partition: number): number {
    return this.topics.get(topic)?.partitions[partition]?.leader ?? -1;
  }

  close(): void {
    this.closed = true;
    for (const c of this.connections.values()) c.close();
    for (const c of this.bootstrap) c?.close();
    this.connections.clear();
  }
}

/** Why a connection attempt failed, in a few words: the system's reason when there is one. */
function connectFailure(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as NodeJS.ErrnoException | undefined) : undefined;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused: is a broker running there?';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return cause?.message ?? (err instanceof Error ? err.message : String(err));
  }
}
