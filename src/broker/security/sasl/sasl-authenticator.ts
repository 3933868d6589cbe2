import { setTimeout as sleep } from 'node:timers/promises';
import type { MetadataImage } from '../../../metadata/metadata-image.js';
import {
  isScramMechanism,
  SCRAM_MECHANISMS,
  type ScramCredential,
} from '../../../metadata/scram-formatter.js';
import { ErrorCode } from '../../../protocol/error-codes.js';
import {
  CloseConnectionError,
  type ConnectionContext,
  type ResponseFrames,
} from '../../network/connection.js';
import type { RawSaslTokens } from '../../request-dispatcher.js';
import type { ConnectionSession } from '../connection-session.js';
import { PlainSaslServer } from './plain-server.js';
import type { SaslListenerConfig } from './sasl-listener-config.js';
import { SaslAuthenticationError, type SaslServer } from './sasl-server.js';
import { ScramSaslServer } from './scram-server.js';

export interface SaslAuthenticatorSettings {
  readonly listeners: ReadonlyMap<string, SaslListenerConfig>;
  /** The current metadata image, where SCRAM credentials live. */
  readonly image: () => MetadataImage;
  /** connection.failed.authentication.delay.ms */
  readonly failureDelayMs: number;
  /** connections.max.reauth.ms per SASL listener (0: sessions never expire). */
  readonly maxReauthMs: (listenerName: string) => number;
  readonly now?: () => number;
}

export type HandshakeResult =
  | { readonly errorCode: typeof ErrorCode.NONE; readonly mechanisms: readonly string[] }
  | { readonly errorCode: number; readonly mechanisms: readonly string[]; readonly close: true };

export type AuthenticateResult =
  | { readonly ok: true; readonly response: Buffer; readonly sessionLifetimeMs: number }
  | { readonly ok: false; readonly errorCode: number; readonly errorMessage: string };

/**
 * The broker side of SASL, as Kafka's SaslServerAuthenticator: SaslHandshake picks a mechanism the
 * listener enables, SaslAuthenticate (or raw tokens after a v0 handshake) carries its exchange,
 * and success makes the connection `User:<name>`. A failure is logged with the client address and
 * the user (never a password or token) and answered only after connection.failed.authentication.delay.ms,
 * then the connection closes: guessing costs a connection and the delay each time.
 */
export class SaslAuthenticator implements RawSaslTokens {
  private settings: SaslAuthenticatorSettings | null = null;

  /** `settings` is read at the first SASL request: handlers are made before the broker's services exist. */
  constructor(private readonly makeSettings: () => SaslAuthenticatorSettings) {}

  private get o(): SaslAuthenticatorSettings {
    this.settings ??= this.makeSettings();
    return this.settings;
  }

  /** Each SASL listener and the mechanisms it enables (empty without SASL listeners). */
  listenerMechanisms(): Map<string, readonly string[]> {
    return new Map([...this.o.listeners].map(([name, l]) => [name, l.mechanisms]));
  }

  handshake(mechanism: string, connection: ConnectionContext, version: number): HandshakeResult {
    const session = connection.session;
    const listener = this.o.listeners.get(connection.listenerName);
    // KIP-368: an authenticated client may authenticate again (SaslHandshake v1+), with the same mechanism.
    const reauthenticating =
      session?.authenticated === true && session.saslMechanism !== null && version >= 1;
    if (!session || !listener || (session.authenticated && !reauthenticating) || session.sasl !== null) {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [], close: true };
    }
    if (reauthenticating && mechanism !== session.saslMechanism) {
      connection.log.info(
        { clientAddress: connection.clientAddress, mechanism, previous: session.saslMechanism },
        'SASL re-authentication with another mechanism; closing',
      );
      return {
        errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
        mechanisms: [session.saslMechanism!],
        close: true,
      };
    }
    if (!listener.mechanisms.includes(mechanism)) {
      connection.log.info(
        { clientAddress: connection.clientAddress, mechanism },
        'SASL handshake with a mechanism this listener does not enable',
      );
      return {
        errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
        mechanisms: listener.mechanisms,
        close: true,
      };
    }
    session.sasl = { server: this.server(mechanism, listener), rawTokens: version === 0 };
    return { errorCode: ErrorCode.NONE, mechanisms: listener.mechanisms };
  }

  private server(mechanism: string, listener: SaslListenerConfig): SaslServer {
    if (isScramMechanism(mechanism)) {
      const type = SCRAM_MECHANISMS[mechanism].type;
      return new ScramSaslServer(mechanism, (user) => this.scramCredential(user, type));
    }
    return new PlainSaslServer(listener.plainPasswords);
  }

  private scramCredential(user: string, type: number): ScramCredential | null {
    return this.o.image().scramCredentials.get(user)?.get(type) ?? null;
  }

  /** One SaslAuthenticate token. A failure resolves after the delay; the caller then closes. */
  async authenticate(
    token: Buffer,
    connection: ConnectionContext,
    version: number,
  ): Promise<AuthenticateResult> {
    const session = connection.session;
    const exchange = session?.sasl;
    if (!session || !exchange || exchange.rawTokens) {
      return {
        ok: false,
        errorCode: ErrorCode.ILLEGAL_SASL_STATE,
        errorMessage: 'Unexpected SaslAuthenticate request',
      };
    }
    try {
      const response = this.evaluate(token, session, connection);
      let sessionLifetimeMs = 0;
      if (session.sasl === null) {
        // Complete. Kafka tells the lifetime from SaslAuthenticate v1 on (KIP-368); an older client
        // cannot learn it, so its session is not cut short.
        const maxReauthMs = this.o.maxReauthMs(connection.listenerName);
        if (maxReauthMs > 0 && version >= 1) {
          sessionLifetimeMs = maxReauthMs;
          session.sessionExpiresAtMs = (this.o.now ?? Date.now)() + maxReauthMs;
        } else {
          session.sessionExpiresAtMs = null;
        }
      }
      return { ok: true, response, sessionLifetimeMs };
    } catch (err) {
      if (!(err instanceof SaslAuthenticationError)) throw err;
      await this.failed(err, session, connection);
      return { ok: false, errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: err.message };
    }
  }

  /** A token after SaslHandshake v0: its answer is a size-prefixed raw token; a failure closes. */
  async rawToken(frame: Buffer, connection: ConnectionContext): Promise<ResponseFrames> {
    const session = connection.session!;
    try {
      const response = this.evaluate(Buffer.from(frame), session, connection);
      const size = Buffer.alloc(4);
      size.writeInt32BE(response.length);
      return [size, response];
    } catch (err) {
      if (!(err instanceof SaslAuthenticationError)) throw err;
      await this.failed(err, session, connection);
      throw new CloseConnectionError('SASL authentication failed; closing connection');
    }
  }

  private evaluate(token: Buffer, session: ConnectionSession, connection: ConnectionContext): Buffer {
    const exchange = session.sasl!;
    const step = exchange.server.evaluate(token);
    if (step.authenticatedUser !== null) {
      const principal = `User:${step.authenticatedUser}`;
      // KIP-368: a re-authentication proves the same identity again, it cannot switch to another.
      if (session.authenticated && principal !== session.principal) {
        throw new SaslAuthenticationError(
          `Cannot change principals during re-authentication from ${session.principal}: ${principal}`,
          step.authenticatedUser,
        );
      }
      session.principal = principal;
      session.authenticated = true;
      session.saslMechanism = exchange.server.mechanism;
      session.sasl = null;
      connection.log.debug(
        {
          clientAddress: connection.clientAddress,
          principal: session.principal,
          mechanism: exchange.server.mechanism,
        },
        'SASL authentication succeeded',
      );
    }
    return step.response;
  }

  private async failed(
    err: SaslAuthenticationError,
    session: ConnectionSession,
    connection: ConnectionContext,
  ): Promise<void> {
    const mechanism = session.sasl?.server.mechanism;
    session.sasl = null;
    connection.log.info(
      { clientAddress: connection.clientAddress, user: err.user, mechanism, error: err.message },
      'SASL authentication failed',
    );
    if (this.o.failureDelayMs > 0) await sleep(this.o.failureDelayMs);
  }
}
