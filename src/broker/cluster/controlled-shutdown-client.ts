import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { MetadataManager } from '../../metadata/metadata-manager.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ApiKey } from '../../protocol/generated/api-registry.js';
import { type ControllerChannel, notController } from './controller-channel.js';
import { InterBrokerRequestError } from './inter-broker-client.js';

export interface ControlledShutdownOptions {
  readonly channel: ControllerChannel;
  readonly metadata: MetadataManager;
  readonly nodeId: number;
  readonly brokerEpoch: bigint;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The whole wait's bound: past it the broker stops anyway, as a crash would (its session ends). */
  readonly limitMs: number;
}

/**
 * The broker's side of a controlled shutdown (Kafka's BrokerLifecycleManager in
 * PENDING_CONTROLLED_SHUTDOWN): ask the active controller to move leadership off this broker,
 * then wait until this broker's metadata shows it leads nothing, still serving meanwhile, so that
 * producers waiting on it are answered NOT_LEADER_OR_FOLLOWER and retry on the new leaders instead
 * of losing their connection. Bounded by `limitMs`; returns whether leadership moved.
 */
export async function moveLeadershipBeforeShutdown(o: ControlledShutdownOptions): Promise<boolean> {
  const deadline = o.clock.monotonicMs() + o.limitMs;
  try {
    const res = await o.channel.send(
      ApiKey.ControlledShutdown,
      3,
      { brokerId: o.nodeId, brokerEpoch: o.brokerEpoch },
      o.limitMs,
      notController,
    );
    if (res.errorCode !== ErrorCode.NONE) {
      o.logger.warn({ errorCode: res.errorCode }, 'controlled shutdown refused; stopping anyway');
      return false;
    }
  } catch (err) {
    if (!(err instanceof InterBrokerRequestError)) throw err;
    o.logger.warn({ err: err.message }, 'controlled shutdown got no answer; stopping anyway');
    return false;
  }
  for (;;) {
    await o.metadata.catchUp().catch(() => undefined);
    if (!leadsAnything(o.metadata, o.nodeId)) {
      o.logger.info({}, 'controlled shutdown: this broker leads no partition');
      return true;
    }
    if (o.clock.monotonicMs() >= deadline) {
      o.logger.warn({}, 'controlled shutdown: still leading partitions at the deadline; stopping anyway');
      return false;
    }
    await new Promise<void>((resolve) => o.clock.setTimer(50, resolve));
  }
}

function leadsAnything(metadata: MetadataManager, nodeId: number): boolean {
  for (const t of metadata.image.topicsById.values())
    for (const p of t.partitions.values()) if (p.leader === nodeId) return true;
  return false;
}
