import { AclOperation, AclResourceType, CLUSTER_RESOURCE_NAME } from '../../metadata/acl/acl-binding.js';
import { AUTHORIZED_OPERATIONS_OMITTED } from '../../protocol/authorized-operations.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DescribeClusterRequest } from '../../protocol/generated/messages/describe-cluster-request.js';
import { DescribeClusterResponse } from '../../protocol/generated/messages/describe-cluster-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';

const ENDPOINT_TYPE_BROKERS = 1;

/** DescribeCluster (KIP-700): brokers, cluster id, controller. Controllers are not listed by brokers. */
export function describeClusterHandler(s: BrokerServices) {
  return defineHandler(DescribeClusterRequest, DescribeClusterResponse, { min: 0, max: 1 }, (req, ctx) => {
    const endpointType = ctx.apiVersion >= 1 ? req.endpointType : ENDPOINT_TYPE_BROKERS;
    const base = {
      throttleTimeMs: 0,
      endpointType,
      clusterId: s.clusterId,
      controllerId: s.controllerId(),
      clusterAuthorizedOperations: !req.includeClusterAuthorizedOperations
        ? AUTHORIZED_OPERATIONS_OMITTED
        : s.authorizer.authorizeCluster(ctx.connection, AclOperation.DESCRIBE)
          ? s.authorizer.authorizedOperations(ctx.connection, AclResourceType.CLUSTER, CLUSTER_RESOURCE_NAME)
          : 0,
    };
    if (endpointType !== ENDPOINT_TYPE_BROKERS) {
      return {
        ...base,
        errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: 'Only broker endpoints are served by brokers.',
        brokers: [],
      };
    }
    const brokers = s
      .brokerEndpoints(ctx.connection.listenerName)
      .map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack }));
    return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, brokers };
  });
}
