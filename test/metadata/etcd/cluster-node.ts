import type { Clock } from '../../../src/common/clock.js';
import { jsonLinesLogger, noopLogger } from '../../../src/common/logger.js';
import { BrokerLivenessController } from '../../../src/metadata/etcd/broker-liveness-controller.js';
import { BrokerSession } from '../../../src/metadata/etcd/broker-session.js';
import { ControllerElection } from '../../../src/metadata/etcd/controller-election.js';
import type { EtcdKv } from '../../../src/metadata/etcd/etcd-kv.js';
import { EtcdMetadataLog } from '../../../src/metadata/etcd/etcd-metadata-log.js';
import { MetadataManager } from '../../../src/metadata/metadata-manager.js';

export const SESSION_TIMEOUT_MS = 2000;
export const HEARTBEAT_MS = 500;

/**
 * Wraps a client so that its broker can be paused like a SIGSTOPped process: calls made while
 * paused wait until `resume()`.
 */
export class PausableKv {
  paused = false;
  private waiting: (() => void)[] = [];

  constructor(private readonly inner: EtcdKv) {}

  resume(): void {
    this.paused = false;
    const w = this.waiting;
    this.waiting = [];
    for (const f of w) f();
  }

  private gate(): Promise<void> {
    return this.paused ? new Promise((r) => this.waiting.push(r)) : Promise.resolve();
  }

  readonly kv: EtcdKv = {
    range: (r) => this.gate().then(() => this.inner.range(r)),
    txn: (t) => this.gate().then(() => this.inner.txn(t)),
    watch: (r, onEvents, onError) =>
      this.inner.watch(
        r,
        (rev) => void this.gate().then(() => onEvents(rev)),
        (err) => void this.gate().then(() => onError(err)),
      ),
    leaseGrant: (ttl) => this.gate().then(() => this.inner.leaseGrant(ttl)),
    leaseKeepAlive: (id) => this.gate().then(() => this.inner.leaseKeepAlive(id)),
    leaseRevoke: (id) => this.gate().then(() => this.inner.leaseRevoke(id)),
    close: () => this.inner.close(),
  };
}

/** One broker's cluster membership: session, election, guarded metadata log, liveness controller. */
export class ClusterNode {
  readonly session: BrokerSession;
  readonly election: ControllerElection;
  readonly metadata: MetadataManager;
  readonly liveness: BrokerLivenessController;

  constructor(
    readonly id: number,
    readonly kv: EtcdKv,
    clock: Clock,
    rack: string | null = null,
  ) {
    const prefix = '/test';
    this.session = new BrokerSession({
      kv,
      prefix,
      brokerId: id,
      incarnationId: Buffer.alloc(16, id).toString('base64url'),
      endPoints: [{ name: 'PLAINTEXT', host: 'localhost', port: 9090 + id, securityProtocol: 0 }],
      rack,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: HEARTBEAT_MS,
      clock,
      logger: noopLogger,
    });
    this.election = new ControllerElection({
      kv,
      prefix,
      nodeId: id,
      lease: () => this.session.lease,
      clock,
      retryMs: HEARTBEAT_MS,
      logger: noopLogger,
    });
    const log = new EtcdMetadataLog({
      kv,
      prefix,
      logger: noopLogger,
      guard: () => this.election.guard(),
      now: () => clock.nowMs(),
    });
    this.metadata = new MetadataManager(log, noopLogger);
    this.liveness = new BrokerLivenessController({
      kv,
      prefix,
      election: this.election,
      metadata: this.metadata,
      clock,
      logger: process.env.DEBUG_CLUSTER ? jsonLinesLogger(undefined, 'debug') : noopLogger,
      retryMs: HEARTBEAT_MS,
    });
    this.session.onRegistered(() => this.election.start());
    this.session.onLost(() => this.election.resign());
  }

  async start(): Promise<void> {
    await this.metadata.load();
    await this.session.start();
  }

  async close(): Promise<void> {
    this.liveness.close();
    await this.election.close();
    await this.session.close();
    await this.metadata.close();
  }
}

/** Lets promises, microtasks and immediate callbacks run until the system is quiet. */
export async function settle(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
