import { AclOperation } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { EnvelopeRequest } from '../../protocol/generated/messages/envelope-request.js';
import { EnvelopeResponse } from '../../protocol/generated/messages/envelope-response.js';
import { type ApiHandler, defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { handleEnvelope } from '../cluster/forwarding.js';
import { CloseConnectionError } from '../network/connection.js';

/**
 * Envelope (KIP-590): a request another broker forwards to the active controller, with its
 * client's principal and address. Accepted only on the inter-broker listener (Kafka accepts it only
 * from a privileged listener and closes the connection otherwise: a client must not be able to
 * speak for another principal); a broker that is not the active controller answers NOT_CONTROLLER,
 * and the sender tries the newest controller.
 */
export function envelopeHandler(s: BrokerServices, handlerOf: (apiKey: number) => ApiHandler | undefined) {
  return defineHandler(EnvelopeRequest, EnvelopeResponse, { min: 0, max: 0 }, async (req, ctx) => {
    const interBroker = s.config.listenerConfig.interBrokerListenerName;
    if (ctx.connection.listenerName !== interBroker) {
      throw new CloseConnectionError(
        `Envelope request on listener ${ctx.connection.listenerName}, which is not the inter-broker listener ${interBroker}; closing connection`,
      );
    }
    // Kafka's ControllerApis.handleEnvelopeRequest: the forwarding broker needs CLUSTER_ACTION; the
    // forwarded request is then authorized for the client's principal it carries.
    if (!s.authorizer.authorizeCluster(ctx.connection, AclOperation.CLUSTER_ACTION)) {
      return { responseData: null, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED };
    }
    if (!s.cluster?.isActiveController) return { responseData: null, errorCode: ErrorCode.NOT_CONTROLLER };
    return handleEnvelope(req, ctx, handlerOf);
  });
}
