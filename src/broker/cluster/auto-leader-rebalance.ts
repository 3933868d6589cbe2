import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { imbalancedPartitions } from '../../metadata/controller/leader-imbalance.js';
import {
  type ElectionSettings,
  ElectionType,
  electLeaders,
} from '../../metadata/controller/partition-elections.js';
import type { MetadataManager } from '../../metadata/metadata-manager.js';

export interface AutoLeaderRebalanceOptions {
  readonly metadata: MetadataManager;
  /** Whether this broker is the active controller now. */
  readonly isActiveController: () => boolean;
  readonly settings: ElectionSettings;
  /** leader.imbalance.check.interval.seconds, in ms. */
  readonly intervalMs: number;
  /** leader.imbalance.per.broker.percentage. */
  readonly imbalancePercentage: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * auto.leader.rebalance.enable: while this broker is the active controller, every
 * leader.imbalance.check.interval.seconds it moves leadership back to the preferred replicas of
 * the brokers whose share of such partitions passes leader.imbalance.per.broker.percentage (a
 * broker that failed and came back gets its leadership back), through preferred elections.
 */
export class AutoLeaderRebalance {
  private timer: TimerHandle | null = null;
  private closed = false;

  constructor(private readonly o: AutoLeaderRebalanceOptions) {
    this.arm();
  }

  private arm(): void {
    if (this.closed) return;
    this.timer = this.o.clock.setTimer(this.o.intervalMs, () => {
      void this.check().finally(() => this.arm());
    });
  }

  /** One check, as the timer runs it. */
  async check(): Promise<void> {
    if (!this.o.isActiveController()) return;
    try {
      const moved = await this.o.metadata.submit((image) => {
        const wanted = imbalancedPartitions(image, this.o.imbalancePercentage);
        if (wanted.length === 0) return { records: [], response: 0 };
        const r = electLeaders(image, ElectionType.PREFERRED, wanted, this.o.settings);
        return { records: r.records, response: r.records.length };
      });
      if (moved > 0) this.o.logger.info({ partitions: moved }, 'leadership moved back to preferred replicas');
    } catch (err) {
      this.o.logger.warn(
        { err: (err as Error).message },
        'preferred leader rebalance failed; next check later',
      );
    }
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
  }
}
