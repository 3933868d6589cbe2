import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/**
 * The client side of a SCRAM exchange (RFC 5802, as Kafka's ScramSaslClient), for the console's
 * login: the console holds the password the user typed and proves it to the broker's own SCRAM
 * server, so a console login is checked exactly as a Kafka client's would be.
 */
export class ScramClientExchange {
  private readonly nonce = randomBytes(24).toString('base64url');
  private readonly firstBare: string;

  constructor(
    private readonly hash: 'sha256' | 'sha512',
    user: string,
    private readonly password: string,
  ) {
    // RFC 5802 5.1: ',' and '=' in a user name are escaped.
    this.firstBare = `n=${user.replaceAll('=', '=3D').replaceAll(',', '=2C')},r=${this.nonce}`;
  }

  clientFirst(): Buffer {
    return Buffer.from(`n,,${this.firstBare}`, 'utf8');
  }

  /** The client-final message for the server-first one; null when the server's answer is not SCRAM's. */
  clientFinal(serverFirst: Buffer): Buffer | null {
    const text = serverFirst.toString('utf8');
    const attrs = new Map(text.split(',').map((kv) => [kv.slice(0, 1), kv.slice(2)] as const));
    const nonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (
      !nonce?.startsWith(this.nonce) ||
      salt === undefined ||
      !Number.isSafeInteger(iterations) ||
      iterations < 1
    ) {
      return null;
    }
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.firstBare},${text},${withoutProof}`;
    const size = this.hash === 'sha256' ? 32 : 64;
    const salted = pbkdf2Sync(this.password, Buffer.from(salt, 'base64'), iterations, size, this.hash);
    const clientKey = createHmac(this.hash, salted).update('Client Key').digest();
    const storedKey = createHash(this.hash).update(clientKey).digest();
    const signature = createHmac(this.hash, storedKey).update(authMessage).digest();
    const proof = Buffer.alloc(size);
    for (let i = 0; i < size; i++) proof[i] = clientKey[i]! ^ signature[i]!;
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }
}
