import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
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

export function saslClientExchange(o: SaslOptions): SaslClientExchange {
  switch (o.mechanism) {
    case 'plain':
      return {
        mechanism: 'PLAIN',
        initial: () => Buffer.from(`\u0000${o.username}\u0000${o.password}`, 'utf8'),
        next: () => null,
      };
    case 'scram-sha-256':
      return new ScramClient('SCRAM-SHA-256', 'sha256', o.username, o.password);
    case 'scram-sha-512':
      return new ScramClient('SCRAM-SHA-512', 'sha512', o.username, o.password);
    default:
      throw new ClientError(
        'INVALID_ARGUMENT',
        `unknown SASL mechanism ${String((o as SaslOptions).mechanism)}`,
      );
  }
}

/** RFC 5802 saslname: "," and "=" escaped. */
function saslName(s: string): string {
  return s.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** SCRAM (RFC 5802, RFC 7677), client side: proves the password without sending it and checks the server's signature. */
class ScramClient implements SaslClientExchange {
  private clientFirstBare = '';
  private expectedServerSignature: Buffer | null = null;
  private done = false;

  constructor(
    readonly mechanism: string,
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
      if (!ok)
        throw new ClientError('SASL_AUTHENTICATION_FAILED', `${this.mechanism}: invalid server signature`);
      return null;
    }
    const m = /^r=([^,]+),s=([^,]+),i=(\d+)(,.*)?$/.exec(text);
    if (!m || !m[1]!.startsWith(this.nonce)) {
      throw new ClientError('SASL_AUTHENTICATION_FAILED', `${this.mechanism}: invalid server first message`);
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
