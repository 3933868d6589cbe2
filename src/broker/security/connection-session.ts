import type { SecurityProtocol } from '../config/listener-config.js';
import { AuthorizationCache } from './authorization-cache.js';
import type { SaslServer } from './sasl/sasl-server.js';

/** A SASL exchange begun by SaslHandshake. */
export interface SaslExchange {
  readonly server: SaslServer;
  /** SaslHandshake v0: the tokens that follow are raw frames, not SaslAuthenticate requests. */
  readonly rawTokens: boolean;
}

/** Kafka's principal of a connection nobody authenticated (KafkaPrincipal.ANONYMOUS). */
export const ANONYMOUS_PRINCIPAL = 'User:ANONYMOUS';

/**
 * Who is at the other end of one connection, as Kafka's KafkaChannel knows it: the principal
 * (from the TLS certificate, or the SASL user once authenticated) and whether the connection may
 * make requests other than ApiVersions and the SASL ones yet.
 */
export class ConnectionSession {
  principal: string;
  /** False on a SASL listener until SaslAuthenticate succeeds. */
  authenticated: boolean;
  /** The SASL exchange in progress on a SASL listener (set by SaslHandshake), or null. */
  sasl: SaslExchange | null = null;
  /** The mechanism the connection authenticated with; a re-authentication must use the same (KIP-368). */
  saslMechanism: string | null = null;
  /**
   * When the SASL session ends (epoch ms), from connections.max.reauth.ms; null for no limit.
   * After it only the SASL APIs are served: anything else closes the connection (KIP-368).
   */
  sessionExpiresAtMs: number | null = null;
  /** The client's IP as ACL hosts name it, worked out once from its address by the authorizer. */
  clientHost: string | null = null;
  /** The authorizer's allowed decisions for this connection. */
  readonly authorizations = new AuthorizationCache();

  constructor(
    readonly securityProtocol: SecurityProtocol,
    principal: string = ANONYMOUS_PRINCIPAL,
  ) {
    this.principal = principal;
    this.authenticated = securityProtocol === 'PLAINTEXT' || securityProtocol === 'SSL';
  }
}
