import { randomBytes } from 'node:crypto';
import {
  constantTimeEqual,
  hash,
  hmac,
  type ScramCredential,
  type ScramMechanism,
  xor,
} from '../../../metadata/scram-formatter.js';
import { SaslAuthenticationError, type SaslServer, type SaslStep } from './sasl-server.js';

// RFC 5802 §7 messages as Kafka's ScramMessages parses them.
const CLIENT_FIRST = /^n,(a=([^,]*))?,((m=[^,]*,)?n=([^,]*),r=([\x21-\x2b\x2d-\x7e]+)(,.*)?)$/s;
const CLIENT_FINAL = /^(c=([A-Za-z0-9+/=]*),r=([\x21-\x2b\x2d-\x7e]+)(,[^p][^,]*)*),p=([A-Za-z0-9+/=]+)$/s;

/** RFC 5802 saslname: "=2C" is ",", "=3D" is "=", any other "=" is invalid. */
function decodeSaslName(s: string): string | null {
  if (/=(?!2C|3D)/.test(s)) return null;
  return s.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/**
 * SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), the server side as Kafka's ScramSaslServer:
 * client-first → server-first (nonce, salt, iterations), client-final (proof) → server-final
 * (signature). The password is never seen: the proof is checked against the stored key.
 */
export class ScramSaslServer implements SaslServer {
  private state: 'first' | 'final' | 'done' = 'first';
  private user: string | null = null;
  private credential: ScramCredential | null = null;
  private nonce = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private gs2Header = '';

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly credentials: (user: string) => ScramCredential | null,
    private readonly serverNonce: () => string = () => randomBytes(24).toString('base64url'),
  ) {}

  evaluate(token: Buffer): SaslStep {
    const text = token.toString('utf8');
    if (this.state === 'first') return this.clientFirst(text);
    if (this.state === 'final') return this.clientFinal(text);
    throw new SaslAuthenticationError('Unexpected SCRAM message after authentication completed', this.user);
  }

  private fail(why: string): never {
    this.state = 'done';
    throw new SaslAuthenticationError(
      `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}${why ? `: ${why}` : ''}`,
      this.user,
    );
  }

  private clientFirst(text: string): SaslStep {
    const m = CLIENT_FIRST.exec(text);
    if (!m) this.fail('invalid SCRAM client first message');
    const user = decodeSaslName(m![5]!);
    if (user === null) this.fail('invalid user name');
    this.user = user;
    const authzid = m![2];
    if (authzid !== undefined && authzid !== '' && decodeSaslName(authzid) !== user) {
      this.fail('Client requested an authorization id that is different from username');
    }
    // Extensions: Kafka's only one is tokenauth (delegation tokens), which Strom does not have.
    if (m![7] !== undefined && /(^|,)tokenauth=true(,|$)/i.test(m![7].slice(1))) {
      this.fail('delegation tokens are not supported');
    }
    const credential = this.credentials(user!);
    if (credential === null) this.fail('');
    this.credential = credential;
    this.gs2Header = `n,${authzid !== undefined ? `a=${authzid}` : ''},`;
    this.clientFirstBare = m![3]!;
    this.nonce = m![6]! + this.serverNonce();
    this.serverFirst = `r=${this.nonce},s=${credential!.salt.toString('base64')},i=${credential!.iterations}`;
    this.state = 'final';
    return { response: Buffer.from(this.serverFirst, 'utf8'), authenticatedUser: null };
  }

  private clientFinal(text: string): SaslStep {
    const m = CLIENT_FINAL.exec(text);
    if (!m) this.fail('invalid SCRAM client final message');
    const channelBinding = Buffer.from(m![2]!, 'base64').toString('utf8');
    if (channelBinding !== this.gs2Header) this.fail('invalid channel binding');
    // Kafka's ScramSaslServer checks that the nonce ends with the server's: librdkafka sends its
    // client nonce again in front of the one it was given, and Kafka accepts that.
    if (!m![3]!.endsWith(this.nonce)) this.fail('invalid nonce');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${m![1]}`;
    const credential = this.credential!;
    const proof = Buffer.from(m![5]!, 'base64');
    const clientSignature = hmac(this.mechanism, credential.storedKey, authMessage);
    const clientKey = xor(proof, clientSignature);
    if (
      proof.length !== clientSignature.length ||
      !constantTimeEqual(hash(this.mechanism, clientKey), credential.storedKey)
    ) {
      this.fail('');
    }
    this.state = 'done';
    const serverSignature = hmac(this.mechanism, credential.serverKey, authMessage);
    return {
      response: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'),
      authenticatedUser: this.user,
    };
  }
}
