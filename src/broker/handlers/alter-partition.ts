import { AclOperation } from '../../metadata/acl/acl-binding.js';
import { alterPartition } from '../../metadata/controller/alter-partition.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { AlterPartitionRequest } from '../../protocol/generated/messages/alter-partition-request.js';
import { AlterPartitionResponse } from '../../protocol/generated/messages/alter-partition-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { electionSettings } from '../election-settings.js';
import { submitOrFail } from '../metadata-write.js';

/**
 * AlterPartition (KIP-497): a partition leader's ISR change, decided by the active controller with
 * the pure `alterPartition` (stale leader or partition epochs refused, fenced or shutting-down
 * brokers kept out, the ELR of KIP-966) and written as a PartitionChangeRecord before the answer.
 * A broker that is not the controller answers NOT_CONTROLLER; only brokers (CLUSTER_ACTION) may ask.
 */
export function alterPartitionHandler(s: BrokerServices) {
  return defineHandler(
    AlterPartitionRequest,
    AlterPartitionResponse,
    { min: 0, max: 3 },
    async (req, ctx) => {
      const failed = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, topics: [] });
      if (s.authorizer.enabled && !s.authorizer.authorizeCluster(ctx.connection, AclOperation.CLUSTER_ACTION))
        return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
      if (!s.cluster?.isActiveController) return failed(ErrorCode.NOT_CONTROLLER);
      const settings = electionSettings(s.replicas);
      return submitOrFail(
        s,
        (image) => alterPartition(image, req, settings),
        (errorCode) => failed(errorCode),
      );
    },
  );
}
