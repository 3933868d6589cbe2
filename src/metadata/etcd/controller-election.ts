import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { Compare, EtcdKv, EtcdWatch } from './etcd-kv.js';

export interface ControllerElectionOptions {
  readonly kv: EtcdKv;
  readonly prefix: string;
  readonly nodeId: number;
  /** The broker session's lease: the controller key lives and dies with the broker's session. */
  readonly lease: () => bigint | null;
  readonly logger: Logger;
  readonly clock: Clock;
  /** How long after a failed campaign (etcd unreachable) to try again. */
  readonly retryMs: number;
}

/** The etcd key of the active controller, `<prefix>/controller`: `{"nodeId": n}` under its lease. */
export function controllerKey(prefix: string): Buffer {
  return Buffer.from(`${prefix.replace(/\/+$/, '')}/controller`);
}

/** The node id a controller key's value names. */
export function controllerIdOf(value: Buffer): number {
  return (JSON.parse(value.toString('utf8')) as { nodeId: number }).nodeId;
}

/**
 * One active controller, elected through etcd as Kafka 1.0 elected its controller through
 * ZooKeeper's ephemeral /controller node: `<prefix>/controller` is created only if absent, under
 * the candidate's session lease, so it disappears when that broker's session does. The winner's
 * create revision identifies its term: `guard()` makes every metadata append compare it in the
 * same etcd transaction, so a controller that lost its key (paused past its session timeout)
 * cannot write even before it notices. The others watch the key and campaign when it goes.
 */
export class ControllerElection {
  private term = -1n;
  private controller = -1;
  private watcher: EtcdWatch | null = null;
  private closed = false;
  private campaigning: Promise<void> | null = null;
  private readonly key: Buffer;
  private readonly electedListeners: (() => void)[] = [];
  private readonly resignedListeners: (() => void)[] = [];

  constructor(private readonly options: ControllerElectionOptions) {
    this.key = controllerKey(options.prefix);
  }

  /** True while this broker holds the controller key, as last seen. */
  get active(): boolean {
    return this.term >= 0n;
  }

  /** The active controller's node id as last seen, -1 when none. */
  get controllerId(): number {
    return this.controller;
  }

  onElected(listener: () => void): void {
    this.electedListeners.push(listener);
  }

  onResigned(listener: () => void): void {
    this.resignedListeners.push(listener);
  }

  /** The comparison every controller write carries: the key still holds this broker's term. */
  guard(): Compare[] {
    // Never a real create revision: a broker that is not the controller can write nothing.
    return [{ key: this.key, target: 'CREATE', result: 'EQUAL', revision: this.active ? this.term : -1n }];
  }

  /** Campaigns now and whenever the key changes or a campaign failed. */
  start(): void {
    void this.campaign().catch((err) => this.logFailure(err));
  }

  /** Runs one campaign at a time; a change seen during one leads to another. */
  campaign(): Promise<void> {
    if (this.campaigning) return this.campaigning;
    this.campaigning = this.runCampaign().finally(() => {
      this.campaigning = null;
    });
    return this.campaigning;
  }

  private async runCampaign(): Promise<void> {
    if (this.closed) return;
    const lease = this.options.lease();
    const value = Buffer.from(JSON.stringify({ nodeId: this.options.nodeId }));
    let revision: bigint;
    if (lease !== null) {
      const res = await this.options.kv.txn({
        compare: [{ key: this.key, target: 'CREATE', result: 'EQUAL', revision: 0n }],
        success: [{ put: { key: this.key, value, lease } }],
      });
      if (res.succeeded) {
        this.watch(res.revision);
        this.becomeActive(res.revision);
        return;
      }
      revision = res.revision;
    }
    const current = await this.options.kv.range({ key: this.key });
    revision = current.revision;
    const kv = current.kvs[0];
    const holder = kv ? controllerIdOf(kv.value) : -1;
    if (kv && holder === this.options.nodeId && lease !== null && this.term === kv.createRevision) return;
    this.resign();
    this.controller = holder;
    this.watch(revision);
    // The key vanished between our attempt and the read: try again at once.
    if (!kv && lease !== null)
      queueMicrotask(() => void this.campaign().catch((err) => this.logFailure(err)));
  }

  private becomeActive(term: bigint): void {
    this.term = term;
    this.controller = this.options.nodeId;
    this.options.logger.info(
      { nodeId: this.options.nodeId, term: String(term) },
      'elected active controller',
    );
    for (const l of this.electedListeners) l();
  }

  /** Steps down (key gone or held by another): listeners stop controller work. */
  resign(): void {
    if (!this.active) return;
    this.term = -1n;
    this.controller = -1;
    this.options.logger.warn({ nodeId: this.options.nodeId }, 'no longer the active controller');
    for (const l of this.resignedListeners) l();
  }

  private watch(fromRevision: bigint): void {
    this.watcher?.cancel();
    if (this.closed) return;
    this.watcher = this.options.kv.watch(
      { key: this.key, startRevision: fromRevision + 1n },
      () => void this.campaign().catch((err) => this.logFailure(err)),
      () => {
        // The watch ended (etcd restarted, compaction): look again, which watches again.
        this.watcher = null;
        void this.campaign().catch((err) => this.logFailure(err));
      },
    );
  }

  private logFailure(err: unknown): void {
    if (this.closed) return;
    this.options.logger.warn({ err: (err as Error).message }, 'controller campaign failed; retrying');
    this.options.clock.setTimer(
      this.options.retryMs,
      () => void this.campaign().catch((e) => this.logFailure(e)),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.cancel();
    this.resign();
  }
}
