import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { StromError } from '../../common/strom-error.js';
import type { LiveBroker } from '../controller/broker-liveness.js';
import type { BrokerEndpoint } from '../metadata-image.js';
import { type EtcdKv, type KeyValue, prefixEnd } from './etcd-kv.js';

export interface BrokerSessionOptions {
  readonly kv: EtcdKv;
  readonly prefix: string;
  readonly brokerId: number;
  readonly incarnationId: string;
  readonly endPoints: readonly BrokerEndpoint[];
  readonly rack: string | null;
  /** Kafka's broker.session.timeout.ms: the lease's TTL (etcd counts whole seconds, 2 s at least). */
  readonly sessionTimeoutMs: number;
  /** Kafka's broker.heartbeat.interval.ms: how often the lease is renewed. */
  readonly heartbeatIntervalMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A broker id that another live broker holds: the new one is refused rather than both serving. */
export class BrokerIdInUseError extends StromError {
  constructor(brokerId: number, waitedMs: number) {
    super(
      'BROKER_ID_IN_USE',
      `node.id ${brokerId} is registered by a live broker (its session did not expire in ${waitedMs} ms): give this broker another node.id`,
    );
  }
}

/** The etcd keys of broker sessions: `<prefix>/brokers/<id>`, each under its broker's lease. */
export function brokerKeys(prefix: string): { of(brokerId: number): Buffer; start: Buffer; end: Buffer } {
  const root = `${prefix.replace(/\/+$/, '')}/brokers/`;
  return {
    of: (id) => Buffer.from(`${root}${id}`),
    start: Buffer.from(root),
    end: prefixEnd(Buffer.from(root)),
  };
}

/** The live broker a registration key describes; its broker epoch is the key's create revision. */
export function liveBrokerOf(kv: KeyValue): LiveBroker {
  const v = JSON.parse(kv.value.toString('utf8')) as Omit<LiveBroker, 'brokerEpoch'>;
  return {
    brokerId: v.brokerId,
    incarnationId: v.incarnationId,
    endPoints: v.endPoints,
    rack: v.rack,
    brokerEpoch: kv.createRevision,
  };
}

/**
 * A broker's session with the cluster, as Kafka's BrokerLifecycleManager keeps one with the
 * controller: an etcd lease of `broker.session.timeout.ms`, renewed every
 * `broker.heartbeat.interval.ms`, holding the broker's registration key (endpoints, rack,
 * incarnation). The key is created only if absent, so two live brokers never share an id; its
 * create revision is the broker epoch. If the lease expires (the process was paused, or cut off
 * from etcd past the timeout) the key is gone and the controller fences the broker; the session
 * finds out at its next renewal, reports `lost`, and registers again under a new epoch.
 * An etcd restart does not expire leases (a new etcd leader extends them), so nobody is fenced
 * for it.
 */
export class BrokerSession {
  private leaseId: bigint | null = null;
  private epoch = -1n;
  private timer: TimerHandle | null = null;
  private closed = false;
  private readonly key: Buffer;
  private readonly lostListeners: (() => void)[] = [];
  private readonly registeredListeners: ((brokerEpoch: bigint) => void)[] = [];

  constructor(private readonly options: BrokerSessionOptions) {
    this.key = brokerKeys(options.prefix).of(options.brokerId);
  }

  get lease(): bigint | null {
    return this.leaseId;
  }

  get brokerEpoch(): bigint {
    return this.epoch;
  }

  /** Told when the session expired: the broker must stop acting as a leader until registered again. */
  onLost(listener: () => void): void {
    this.lostListeners.push(listener);
  }

  /** Told after each registration, the first and those after a lost session. */
  onRegistered(listener: (brokerEpoch: bigint) => void): void {
    this.registeredListeners.push(listener);
  }

  /**
   * Registers, waiting out a previous incarnation's session (a broker restarted at once after a
   * crash finds its old key until the old lease expires); refuses with BrokerIdInUseError when
   * the id stays taken for two session timeouts. Then renews the lease in the background.
   */
  async start(): Promise<bigint> {
    const waitMs = 2 * this.options.sessionTimeoutMs;
    const deadline = this.options.clock.monotonicMs() + waitMs;
    while (!(await this.register())) {
      if (this.options.clock.monotonicMs() >= deadline)
        throw new BrokerIdInUseError(this.options.brokerId, waitMs);
      this.options.logger.info(
        { nodeId: this.options.brokerId },
        'node.id still registered by an earlier session; waiting for it to expire',
      );
      await new Promise<void>((resolve) =>
        this.options.clock.setTimer(this.options.heartbeatIntervalMs, resolve),
      );
    }
    this.scheduleHeartbeat();
    return this.epoch;
  }

  private async register(): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(this.options.sessionTimeoutMs / 1000));
    const lease = await this.options.kv.leaseGrant(ttl);
    const value = {
      brokerId: this.options.brokerId,
      incarnationId: this.options.incarnationId,
      endPoints: this.options.endPoints,
      rack: this.options.rack,
    };
    const res = await this.options.kv.txn({
      compare: [{ key: this.key, target: 'CREATE', result: 'EQUAL', revision: 0n }],
      success: [{ put: { key: this.key, value: Buffer.from(JSON.stringify(value)), lease: lease.id } }],
    });
    if (!res.succeeded) {
      await this.options.kv.leaseRevoke(lease.id);
      return false;
    }
    this.leaseId = lease.id;
    this.epoch = res.revision;
    this.options.logger.info(
      { nodeId: this.options.brokerId, brokerEpoch: String(res.revision) },
      'broker registered in etcd',
    );
    for (const l of this.registeredListeners) l(this.epoch);
    return true;
  }

  private scheduleHeartbeat(): void {
    if (this.closed) return;
    this.timer = this.options.clock.setTimer(this.options.heartbeatIntervalMs, () => {
      this.timer = null;
      void this.heartbeat().finally(() => this.scheduleHeartbeat());
    });
  }

  private async heartbeat(): Promise<void> {
    const lease = this.leaseId;
    if (lease !== null) {
      let ttl: number;
      try {
        ttl = await this.options.kv.leaseKeepAlive(lease);
      } catch (err) {
        // etcd unreachable: the lease lives on in etcd meanwhile; keep trying every interval.
        this.options.logger.warn(
          { err: (err as Error).message },
          'cannot renew the broker session: etcd unreachable',
        );
        return;
      }
      if (ttl > 0 || this.closed) return;
      this.options.logger.warn(
        { nodeId: this.options.brokerId },
        'broker session expired: fenced until registered again',
      );
      this.leaseId = null;
      for (const l of this.lostListeners) l();
    }
    try {
      if (!(await this.register()))
        this.options.logger.warn({}, 'node.id taken by another broker meanwhile; retrying');
    } catch (err) {
      this.options.logger.warn({ err: (err as Error).message }, 'registering again failed; retrying');
    }
  }

  /** Ends the session: the lease is revoked, so the controller fences this broker at once. */
  async close(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    if (this.leaseId !== null) await this.options.kv.leaseRevoke(this.leaseId).catch(() => undefined);
    this.leaseId = null;
  }
}
