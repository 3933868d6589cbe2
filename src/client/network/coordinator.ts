import { CoordinatorType } from '../../protocol/coordinator-type.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { KafkaError } from '../client-error.js';
import { Apis } from './apis.js';
import type { Cluster } from './cluster.js';
import { withRetry } from './retry.js';

/**
 * The broker coordinating a group (or transactional id). FindCoordinator v4+ takes a list of keys
 * (KIP-699); older versions one key. The coordinator is added to the known brokers so a
 * connection can be made even before the next metadata refresh lists it.
 */
export function findCoordinator(
  cluster: Cluster,
  key: string,
  keyType: number = CoordinatorType.GROUP,
  signal?: AbortSignal,
): Promise<number> {
  return withRetry(
    async () => {
      const conn = await cluster.anyConnection(signal);
      const res = await conn.request(
        Apis.FindCoordinator,
        (version) => (version >= 4 ? { keyType, coordinatorKeys: [key] } : { key, keyType }),
        { signal },
      );
      const c = conn.versionOf(Apis.FindCoordinator.apiKey)! >= 4 ? res.coordinators[0] : { ...res, key };
      if (!c) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, key);
      if (c.errorCode !== 0) throw new KafkaError(c.errorCode, `coordinator for ${key}`, c.errorMessage);
      if (!cluster.brokers.has(c.nodeId)) {
        cluster.brokers.set(c.nodeId, { nodeId: c.nodeId, host: c.host, port: c.port, rack: null });
      }
      return c.nodeId;
    },
    { retries: cluster.options.retries, backoff: cluster.options.backoff, signal },
  );
}
