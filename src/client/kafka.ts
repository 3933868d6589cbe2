import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { type Logger, noopLogger } from '../common/logger.js';
import { Admin } from './admin/admin.js';
import { type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
import { Consumer, type ConsumerConfig } from './consumer/consumer.js';
import { GroupMember, type GroupMemberHooks, type GroupMemberOptions } from './group/group-member.js';
import { Cluster } from './network/cluster.js';
import type { SaslOptions } from './network/sasl-mechanism.js';
import { Producer, type ProducerConfig } from './producer/producer.js';

export interface KafkaConfig {
  /** host:port of one or more brokers to discover the cluster from. */
  bootstrapServers: string[] | string;
  /** client.id sent with every request, default 'strom'. */
  clientId?: string;
  /** request.timeout.ms, default 30000. */
  requestTimeoutMs?: number;
  /** socket.connection.setup.timeout.ms, default 10000. */
  connectTimeoutMs?: number;
  /** metadata.max.age.ms, default 300000. */
  metadataMaxAgeMs?: number;
  /** Retries of retriable errors per call, default 10. */
  retries?: number;
  /** retry.backoff.ms (default 100) and retry.backoff.max.ms (default 1000), with 20% jitter. */
  retryBackoffMs?: number;
  retryBackoffMaxMs?: number;
  /** Structured logger (pino-compatible `(fields, msg)` methods); silent by default. */
  logger?: Logger;
  /**
   * Highest version to use per API key (e.g. `{ 0: 2 }` keeps Produce at v2), on top of ApiVersions
   * negotiation: for brokers that advertise versions they mishandle, and to exercise old paths.
   */
  maxApiVersions?: { [apiKey: number]: number };
  /** allow.auto.create.topics, default true. */
  allowAutoTopicCreation?: boolean;
  /**
   * TLS to every broker (security.protocol SSL or SASL_SSL): `true` for the system's trusted
   * authorities, or Node's tls.connect options (`ca`, `cert`, `key`, `pfx`, `passphrase`, ...).
   */
  ssl?: boolean | TlsConnectionOptions;
  /** SASL authentication on every connection (SASL_PLAINTEXT, or SASL_SSL with `ssl`). */
  sasl?: SaslOptions;
}

/** The entry point: holds connection settings and creates producers, consumers and admins. */
export class Kafka {
  constructor(readonly config: KafkaConfig) {}

  private cluster(component: string): Cluster {
    const c = this.config;
    const backoff: BackoffOptions = {
      ...DEFAULT_BACKOFF,
      retryBackoffMs: c.retryBackoffMs ?? DEFAULT_BACKOFF.retryBackoffMs,
      retryBackoffMaxMs: c.retryBackoffMaxMs ?? DEFAULT_BACKOFF.retryBackoffMaxMs,
    };
    const servers =
      typeof c.bootstrapServers === 'string' ? c.bootstrapServers.split(',') : c.bootstrapServers;
    return new Cluster({
      bootstrapServers: servers.map((s) => s.trim()).filter((s) => s.length > 0),
      clientId: c.clientId ?? 'strom',
      requestTimeoutMs: c.requestTimeoutMs ?? 30000,
      connectTimeoutMs: c.connectTimeoutMs ?? 10000,
      metadataMaxAgeMs: c.metadataMaxAgeMs ?? 300000,
      retries: c.retries ?? 10,
      backoff,
      logger: (c.logger ?? noopLogger).child({ component }),
      allowAutoTopicCreation: c.allowAutoTopicCreation ?? true,
      maxVersions: new Map(Object.entries(c.maxApiVersions ?? {}).map(([k, v]) => [Number(k), v])),
      ...(c.ssl ? { tls: c.ssl === true ? {} : c.ssl } : {}),
      ...(c.sasl ? { sasl: c.sasl } : {}),
    });
  }

  producer(config: ProducerConfig = {}): Producer {
    return new Producer(this.cluster('producer'), config);
  }

  consumer(config: ConsumerConfig = {}): Consumer {
    return new Consumer(this.cluster('consumer'), config);
  }

  /** A member of a group with its own protocol type and assignment (Connect workers use 'connect'). */
  groupMember(options: GroupMemberOptions, hooks: GroupMemberHooks): GroupMember {
    return new GroupMember(this.cluster('group'), options, hooks);
  }

  admin(): Admin {
    return new Admin(this.cluster('admin'));
  }
}
