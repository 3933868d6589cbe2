import { CoordinatorType } from '../../protocol/coordinator-type.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { FindCoordinatorRequest } from '../../protocol/generated/messages/find-coordinator-request.js';
import { FindCoordinatorResponse } from '../../protocol/generated/messages/find-coordinator-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { findCoordinator } from '../group-coordinator/core/find-coordinator.js';
import { ensureOffsetsTopic, OFFSETS_TOPIC } from '../group-coordinator/shell/internal-topics.js';

/**
 * FindCoordinator: the coordinator of a group is the leader of partition hash(group) mod
 * offsets.topic.num.partitions of __consumer_offsets, created on first use. Transaction
 * coordinators are not served yet: COORDINATOR_NOT_AVAILABLE.
 */
export function findCoordinatorHandler(s: BrokerServices) {
  return defineHandler(
    FindCoordinatorRequest,
    FindCoordinatorResponse,
    { min: 0, max: 6 },
    async (req, ctx) => {
      const v = ctx.apiVersion;
      const keyType = v >= 1 ? req.keyType : CoordinatorType.GROUP;
      const available = keyType === CoordinatorType.GROUP && (await ensureOffsetsTopic(s));
      const endpoints = s.brokerEndpoints(ctx.connection.listenerName);
      const r = findCoordinator(
        v,
        { key: req.key, keyType, coordinatorKeys: req.coordinatorKeys },
        {
          partitionCount: () => s.config.get('offsets.topic.num.partitions'),
          leaderOf: (_type, partition) => {
            if (!available) return null;
            const leader = s.metadata.image.partition(OFFSETS_TOPIC, partition)?.leader ?? -1;
            const ep = endpoints.find((e) => e.nodeId === leader);
            return ep ? { nodeId: ep.nodeId, host: ep.host, port: ep.port } : null;
          },
        },
      );
      if (v >= 4) return { throttleTimeMs: 0, coordinators: r.coordinators.map((c) => ({ ...c })) };
      return {
        throttleTimeMs: 0,
        errorCode: r.errorCode,
        errorMessage: v >= 1 ? r.errorMessage : null,
        nodeId: r.errorCode === ErrorCode.NONE ? r.nodeId : -1,
        host: r.errorCode === ErrorCode.NONE ? r.host : '',
        port: r.errorCode === ErrorCode.NONE ? r.port : -1,
      };
    },
  );
}
