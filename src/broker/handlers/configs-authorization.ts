import { AclResourceType, CLUSTER_RESOURCE_NAME } from '../../metadata/acl/acl-binding.js';
import { ConfigResourceType } from '../../metadata/metadata-image.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { BrokerServices } from '../broker-services.js';
import type { ConnectionContext } from '../network/connection.js';

/**
 * Whether the principal may describe or alter (`operation`: DESCRIBE_CONFIGS or ALTER_CONFIGS) a
 * config resource, as Kafka's ConfigHelper and KafkaApis decide: broker and broker-logger configs
 * need the operation on the cluster, topic configs on the topic, group configs on the group. Null
 * when allowed, else the error the resource is answered with (Kafka's configsAuthorizationApiError).
 */
export function configsAuthorizationError(
  s: BrokerServices,
  connection: ConnectionContext,
  operation: number,
  resource: { readonly resourceType: number; readonly resourceName: string },
): { errorCode: number; errorMessage: string } | null {
  if (!s.authorizer.enabled) return null;
  switch (resource.resourceType) {
    case ConfigResourceType.BROKER:
    case ConfigResourceType.BROKER_LOGGER:
      return s.authorizer.authorize(connection, operation, AclResourceType.CLUSTER, CLUSTER_RESOURCE_NAME)
        ? null
        : {
            errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
            errorMessage: 'Cluster authorization failed.',
          };
    case ConfigResourceType.TOPIC:
      return s.authorizer.authorize(connection, operation, AclResourceType.TOPIC, resource.resourceName)
        ? null
        : { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Topic authorization failed.' };
    case ConfigResourceType.GROUP:
      return s.authorizer.authorize(connection, operation, AclResourceType.GROUP, resource.resourceName)
        ? null
        : { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: 'Group authorization failed.' };
    default:
      return null;
  }
}
