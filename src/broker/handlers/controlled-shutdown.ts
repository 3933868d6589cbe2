import { AclOperation } from '../../metadata/acl/acl-binding.js';
import {
  type ControlledShutdownOutcome,
  controlledShutdown,
} from '../../metadata/controller/broker-liveness.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ControlledShutdownRequest } from '../../protocol/generated/messages/controlled-shutdown-request.js';
import { ControlledShutdownResponse } from '../../protocol/generated/messages/controlled-shutdown-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { electionSettings } from '../election-settings.js';
import { submitOrFail } from '../metadata-write.js';

/**
 * ControlledShutdown: a broker about to stop asks the active controller to move its leadership
 * away first (the pure `controlledShutdown`: marked in controlled shutdown, out of every ISR, new
 * leaders from the ISR or ELR), answered once the records are in the metadata log, with the
 * partitions it still leads. Kafka's KRaft brokers ask the same through BrokerHeartbeat's
 * wantShutDown; Strom's sessions live in etcd, so the request is its own. Only brokers
 * (CLUSTER_ACTION) may ask, and only the active controller answers (NOT_CONTROLLER otherwise).
 */
export function controlledShutdownHandler(s: BrokerServices) {
  return defineHandler(
    ControlledShutdownRequest,
    ControlledShutdownResponse,
    { min: 2, max: 3 },
    async (req, ctx) => {
      const failed = (errorCode: number) => ({ errorCode, remainingPartitions: [] });
      if (s.authorizer.enabled && !s.authorizer.authorizeCluster(ctx.connection, AclOperation.CLUSTER_ACTION))
        return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
      if (!s.cluster?.isActiveController) return failed(ErrorCode.NOT_CONTROLLER);
      const settings = electionSettings(s.replicas);
      const out = await submitOrFail<ControlledShutdownOutcome>(
        s,
        (image) => controlledShutdown(image, req.brokerId, req.brokerEpoch, settings),
        (errorCode) => ({ errorCode, remaining: [], uncleanElections: [] }),
      );
      for (const u of out.uncleanElections)
        s.logger.warn(
          { topic: u.topic, partition: u.partition, leader: u.leader },
          'unclean leader election: the new leader may lack committed records',
        );
      s.logger.info(
        { brokerId: req.brokerId, remaining: out.remaining.length, errorCode: out.errorCode },
        'controlled shutdown: leadership moved off the broker',
      );
      return {
        errorCode: out.errorCode,
        remainingPartitions: out.remaining.map((p) => ({ topicName: p.topic, partitionIndex: p.partition })),
      };
    },
  );
}
