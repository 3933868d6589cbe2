import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { type LiveBroker, reconcileBrokers } from '../controller/broker-liveness.js';
import type { ElectionSettings } from '../controller/partition-elections.js';
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
  /** The topic settings elections read (min.insync.replicas, unclean.leader.election.enable). */
  readonly electionSettings?: ElectionSettings;
}

/**
 * The active controller's watch on broker sessions: while this broker is the controller, every
 * change under `<prefix>/brokers/` (a session created, or deleted when its lease expired) makes it
 * run the pure `reconcileBrokers` through the metadata manager, so registrations, fencing, ISR
 * removal and the election of new leaders for the fenced brokers' partitions (failover) change
 * only through records in the metadata log.
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
    const { uncleanElections } = await this.options.metadata.submit((image) =>
      reconcileBrokers(image, live, this.options.electionSettings),
    );
    // unclean.leader.election.enable: an explicit choice that may lose committed records; say so.
    for (const u of uncleanElections)
      this.options.logger.warn(
        { topic: u.topic, partition: u.partition, leader: u.leader },
        'unclean leader election: the new leader may lack committed records',
      );
  }

  close(): void {
    this.end();
  }
}
