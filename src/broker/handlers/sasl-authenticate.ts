import { EMPTY_BYTES } from '../../protocol/codec-support.js';
import { SaslAuthenticateRequest } from '../../protocol/generated/messages/sasl-authenticate-request.js';
import { SaslAuthenticateResponse } from '../../protocol/generated/messages/sasl-authenticate-response.js';
import { defineHandler } from '../api-handler.js';
import type { SaslAuthenticator } from '../security/sasl/sasl-authenticator.js';

/**
 * SaslAuthenticate (KIP-152): one token of the exchange SaslHandshake began. A failure answers
 * SASL_AUTHENTICATION_FAILED with Kafka's message after connection.failed.authentication.delay.ms,
 * then closes the connection.
 */
export function saslAuthenticateHandler(sasl: SaslAuthenticator) {
  return defineHandler(
    SaslAuthenticateRequest,
    SaslAuthenticateResponse,
    { min: 0, max: 2 },
    async (req, ctx) => {
      const result = await sasl.authenticate(req.authBytes, ctx.connection, ctx.apiVersion);
      if (!result.ok) {
        ctx.closeAfterResponse?.();
        return {
          errorCode: result.errorCode,
          errorMessage: result.errorMessage,
          authBytes: EMPTY_BYTES,
          sessionLifetimeMs: 0n,
        };
      }
      return {
        errorCode: 0,
        errorMessage: null,
        authBytes: result.response,
        sessionLifetimeMs: BigInt(result.sessionLifetimeMs),
      };
    },
  );
}
