import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { CoordinatorType } from '../../protocol/coordinator-type.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { FindCoordinatorRequest } from '../../protocol/generated/messages/find-coordinator-request.js';
import { FindCoordinatorResponse } from '../../protocol/generated/messages/find-coordinator-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { findCoordinator } from '../group-coordinator/core/find-coordinator.js';
import { ensureOffsetsTopic, OFFSETS_TOPIC } from '../group-coordinator/shell/internal-topics.js';
import {
  ensureTransactionStateTopic,
  TRANSACTION_STATE_TOPIC,
} from '../transaction-coordinator/shell/transaction-state-topic.js';

/**
 * FindCoordinator: the coordinator of a group is the leader of partition hash(group) mod
 * offsets.topic.num.partitions of __consumer_offsets, that of a transactional id the leader of
 * partition hash(id) mod transaction.state.log.num.partitions of __transaction_state; each topic
 * is created on first use.
 */
export function findCoordinatorHandler(s: BrokerServices) {
  return defineHandler(
    FindCoordinatorRequest,
    FindCoordinatorResponse,
    { min: 0, max: 6 },
    async (req, ctx) => {
      const v = ctx.apiVersion;
      const keyType = v >= 1 ? req.keyType : CoordinatorType.GROUP;
      const txn = keyType === CoordinatorType.TRANSACTION;
      // Kafka's KafkaApis.getCoordinator: DESCRIBE on the group or the transactional id, checked
      // before anything else (an unknown key type is left to the lookup's INVALID_REQUEST).
      const keys = v >= 4 ? req.coordinatorKeys : [req.key];
      const denied = new Map<string, number>();
      if (s.authorizer.enabled && (txn || keyType === CoordinatorType.GROUP)) {
        for (const key of keys) {
          const ok = txn
            ? s.authorizer.authorize(
                ctx.connection,
                AclOperation.DESCRIBE,
                AclResourceType.TRANSACTIONAL_ID,
                key,
              )
            : s.authorizer.authorize(ctx.connection, AclOperation.DESCRIBE, AclResourceType.GROUP, key);
          if (!ok) {
            denied.set(
              key,
              txn ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED : ErrorCode.GROUP_AUTHORIZATION_FAILED,
            );
          }
        }
      }
      const deniedAnswer = (key: string, errorCode: number) => ({
        key,
        nodeId: -1,
        host: '',
        port: -1,
        errorCode,
        errorMessage: txn ? 'Transactional Id authorization failed.' : 'Group authorization failed.',
      });
      if (keys.length > 0 && keys.every((k) => denied.has(k))) {
        if (v >= 4)
          return { throttleTimeMs: 0, coordinators: keys.map((k) => deniedAnswer(k, denied.get(k)!)) };
        const d = deniedAnswer(req.key, denied.get(req.key)!);
        return { throttleTimeMs: 0, ...d, errorMessage: v >= 1 ? d.errorMessage : null };
      }
      const available =
        keyType === CoordinatorType.GROUP
          ? await ensureOffsetsTopic(s)
          : txn && (await ensureTransactionStateTopic(s));
      const topic = txn ? TRANSACTION_STATE_TOPIC : OFFSETS_TOPIC;
      const endpoints = s.brokerEndpoints(ctx.connection.listenerName);
      const r = findCoordinator(
        v,
        { key: req.key, keyType, coordinatorKeys: req.coordinatorKeys },
        {
          partitionCount: () =>
            txn
              ? s.config.get('transaction.state.log.num.partitions')
              : s.config.get('offsets.topic.num.partitions'),
          leaderOf: (_type, partition) => {
            if (!available) return null;
            const leader = s.metadata.image.partition(topic, partition)?.leader ?? -1;
            const ep = endpoints.find((e) => e.nodeId === leader);
            return ep ? { nodeId: ep.nodeId, host: ep.host, port: ep.port } : null;
          },
        },
      );
      if (v >= 4) {
        return {
          throttleTimeMs: 0,
          coordinators: r.coordinators.map((c) => {
            const errorCode = denied.get(c.key);
            return errorCode === undefined ? { ...c } : deniedAnswer(c.key, errorCode);
          }),
        };
      }
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
