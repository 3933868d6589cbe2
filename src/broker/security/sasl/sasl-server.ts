import { StromError } from '../../../common/strom-error.js';

/**
 * An authentication that failed: answered with SASL_AUTHENTICATION_FAILED and the message (which
 * names no secret), logged with the user name when one was given.
 */
export class SaslAuthenticationError extends StromError {
  constructor(
    message: string,
    /** The user the client claimed, for the log line; null before it said. */
    readonly user: string | null,
  ) {
    super('SASL_AUTHENTICATION_FAILED', message);
  }
}

/** One step of a SASL exchange: the token to send back, and the principal once it is complete. */
export interface SaslStep {
  readonly response: Buffer;
  /** Set on the last step: the authenticated user. */
  readonly authenticatedUser: string | null;
}

/** The server side of one SASL mechanism's exchange on one connection (javax.security.sasl.SaslServer). */
export interface SaslServer {
  readonly mechanism: string;
  /** Evaluates the client's next token; throws SaslAuthenticationError. */
  evaluate(token: Buffer): SaslStep;
}
