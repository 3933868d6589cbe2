import {
  type SaslClientMechanism,
  SaslExchangeError,
  saslClientExchange as sharedExchange,
} from '../../common/sasl-client-exchange.js';
import { ClientError } from '../client-error.js';

/** The client's SASL settings (`sasl` of KafkaConfig). */
export interface SaslOptions {
  readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  readonly username: string;
  readonly password: string;
}

/** The client side of one SASL exchange: tokens to send, given the server's answers. */
export interface SaslClientExchange {
  /** Kafka's mechanism name for SaslHandshake. */
  readonly mechanism: string;
  /** The first token. */
  initial(): Buffer;
  /** The token answering the server's, or null when the exchange is complete; throws on a bad server answer. */
  next(serverToken: Buffer): Buffer | null;
}

const MECHANISMS: Readonly<Record<SaslOptions['mechanism'], SaslClientMechanism>> = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
};

/** The exchange of `common/` with its failures as the client's SASL_AUTHENTICATION_FAILED errors. */
export function saslClientExchange(o: SaslOptions): SaslClientExchange {
  const mechanism = Object.hasOwn(MECHANISMS, o.mechanism) ? MECHANISMS[o.mechanism] : undefined;
  if (mechanism === undefined) {
    throw new ClientError('INVALID_ARGUMENT', `unknown SASL mechanism ${String(o.mechanism)}`);
  }
  const exchange = sharedExchange(mechanism, o.username, o.password);
  return {
    mechanism,
    initial: () => exchange.initial(),
    next: (serverToken) => {
      try {
        return exchange.next(serverToken);
      } catch (err) {
        if (err instanceof SaslExchangeError)
          throw new ClientError('SASL_AUTHENTICATION_FAILED', err.message);
        throw err;
      }
    },
  };
}
