import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { type LiveBroker, reconcileBrokers } from '../controller/broker-liveness.js';
import type { MetadataManager } from '../metadata-manager.js';
import { brokerKeys, liveBrokerOf } from './broker-session.js';
import type { ControllerElection } from './controller-election.js';
import type { EtcdKv, EtcdWatch } from './etcd-kv.js';

export interface BrokerLivenessControllerOptions {
  readonly kv: EtcdKv;
  readonly prefix: string;
  readonly election: ControllerElection;
  /** The manager whose log is guarded by `election`: only the active controller's writes land. */
  readonly metadata: MetadataManager;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long after a failed reconciliation (etcd unreachable) to try again. */
  readonly retryMs: number;
}

/**
 * The active controller's watch on broker sessions: while this broker is the controller, every
 * change under `<prefix>/brokers/` (a session created, or deleted when its lease expired) makes it
 * run the pure `reconcileBrokers` through the metadata manager, so registrations, fencing and the
 * leaders of the fenced brokers' partitions change only through records in the metadata log.
 */
export class BrokerLivenessController {
  private watcher: EtcdWatch | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private readonly keys: ReturnType<typeof brokerKeys>;

  constructor(private readonly options: BrokerLivenessControllerOptions) {
    this.keys = brokerKeys(options.prefix);
    options.election.onElected(() => this.begin());
    options.election.onResigned(() => this.end());
  }

  private begin(): void {
    this.reconcile();
  }

  private end(): void {
    this.watcher?.cancel();
    this.watcher = null;
  }

  /** Reconciles now, or once more after the run in progress; never two at once. */
  reconcile(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run()
      .catch((err: unknown) => {
        if (!this.options.election.active) return;
        this.options.logger.warn(
          { err: (err as Error).message },
          'reconciling broker sessions failed; retrying',
        );
        this.options.clock.setTimer(this.options.retryMs, () => this.reconcile());
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.reconcile();
        }
      });
  }

  private async run(): Promise<void> {
    if (!this.options.election.active) return;
    const res = await this.options.kv.range({ key: this.keys.start, rangeEnd: this.keys.end });
    if (!this.watcher) {
      this.watcher = this.options.kv.watch(
        { key: this.keys.start, rangeEnd: this.keys.end, startRevision: res.revision + 1n },
        () => this.reconcile(),
        () => {
          this.watcher = null;
          this.reconcile();
        },
      );
    }
    const live = new Map<number, LiveBroker>();
    for (const kv of res.kvs) {
      const b = liveBrokerOf(kv);
      live.set(b.brokerId, b);
    }
    await this.options.metadata.submit((image) => reconcileBrokers(image, live));
  }

  close(): void {
    this.end();
  }
}
