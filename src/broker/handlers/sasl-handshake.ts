import { SaslHandshakeRequest } from '../../protocol/generated/messages/sasl-handshake-request.js';
import { SaslHandshakeResponse } from '../../protocol/generated/messages/sasl-handshake-response.js';
import { defineHandler } from '../api-handler.js';
import type { SaslAuthenticator } from '../security/sasl/sasl-authenticator.js';

/**
 * SaslHandshake: the mechanism of the exchange that follows. v1 (KIP-152) is followed by
 * SaslAuthenticate requests, v0 by raw tokens. An unsupported mechanism is answered with
 * UNSUPPORTED_SASL_MECHANISM and the listener's mechanisms, then the connection closes; a handshake
 * on a listener without SASL, or a second one, is ILLEGAL_SASL_STATE.
 */
export function saslHandshakeHandler(sasl: SaslAuthenticator) {
  return defineHandler(SaslHandshakeRequest, SaslHandshakeResponse, { min: 0, max: 1 }, (req, ctx) => {
    const result = sasl.handshake(req.mechanism, ctx.connection, ctx.apiVersion);
    if ('close' in result) ctx.closeAfterResponse?.();
    return { errorCode: result.errorCode, mechanisms: [...result.mechanisms] };
  });
}
