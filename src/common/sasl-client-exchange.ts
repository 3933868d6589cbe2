import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { StromError } from './strom-error.js';

/** The mechanisms a Strom client (the client library, or a broker talking to another) speaks. */
export type SaslClientMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** The client side of one SASL exchange: tokens to send, given the server's answers. */
export interface SaslClientExchange {
  /** Kafka's mechanism name for SaslHandshake. */
  readonly mechanism: SaslClientMechanism;
  /** The first token. */
  initial(): Buffer;
  /** The token answering the server's, or null when the exchange is complete; throws SaslExchangeError on a bad server answer. */
  next(serverToken: Buffer): Buffer | null;
}

/** The server's answer does not fit the mechanism (a wrong nonce, a server signature that does not match). */
export class SaslExchangeError extends StromError {
  constructor(message: string) {
    super('SASL_AUTHENTICATION_FAILED', message);
  }
}

/**
 * The client side of PLAIN (RFC 4616) or SCRAM (RFC 5802, RFC 7677), shared by the client library
 * and by a broker authenticating to another over the inter-broker listener.
 */
export function saslClientExchange(
  mechanism: SaslClientMechanism,
  username: string,
  password: string,
): SaslClientExchange {
  switch (mechanism) {
    case 'PLAIN':
      return {
        mechanism,
        initial: () => Buffer.from(`\u0000${username}\u0000${password}`, 'utf8'),
        next: () => null,
      };
    case 'SCRAM-SHA-256':
      return new ScramClient(mechanism, 'sha256', username, password);
    case 'SCRAM-SHA-512':
      return new ScramClient(mechanism, 'sha512', username, password);
  }
}

/** RFC 5802 saslname: "," and "=" escaped. */
function saslName(s: string): string {
  return s.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** SCRAM, client side: proves the password without sending it and checks the server's signature. */
class ScramClient implements SaslClientExchange {
  private clientFirstBare = '';
  private expectedServerSignature: Buffer | null = null;
  private done = false;

  constructor(
    readonly mechanism: SaslClientMechanism,
    private readonly hash: 'sha256' | 'sha512',
    private readonly username: string,
    private readonly password: string,
    private readonly nonce: string = randomBytes(24).toString('base64url'),
  ) {}

  initial(): Buffer {
    this.clientFirstBare = `n=${saslName(this.username)},r=${this.nonce}`;
    return Buffer.from(`n,,${this.clientFirstBare}`, 'utf8');
  }

  next(serverToken: Buffer): Buffer | null {
    const text = serverToken.toString('utf8');
    if (this.done) return null;
    if (this.expectedServerSignature !== null) {
      this.done = true;
      const m = /^v=([A-Za-z0-9+/=]+)$/.exec(text);
      const signature = m ? Buffer.from(m[1]!, 'base64') : Buffer.alloc(0);
      const ok =
        signature.length === this.expectedServerSignature.length &&
        timingSafeEqual(signature, this.expectedServerSignature);
      if (!ok) throw new SaslExchangeError(`${this.mechanism}: invalid server signature`);
      return null;
    }
    const m = /^r=([^,]+),s=([^,]+),i=(\d+)(,.*)?$/.exec(text);
    if (!m || !m[1]!.startsWith(this.nonce)) {
      throw new SaslExchangeError(`${this.mechanism}: invalid server first message`);
    }
    const iterations = Number(m[3]);
    const keyBytes = this.hash === 'sha256' ? 32 : 64;
    const salted = pbkdf2Sync(this.password, Buffer.from(m[2]!, 'base64'), iterations, keyBytes, this.hash);
    const hmac = (key: Buffer, data: string): Buffer => createHmac(this.hash, key).update(data).digest();
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash(this.hash).update(clientKey).digest();
    const withoutProof = `c=biws,r=${m[1]}`;
    const authMessage = `${this.clientFirstBare},${text},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ signature[i]!;
    this.expectedServerSignature = hmac(hmac(salted, 'Server Key'), authMessage);
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }
}
