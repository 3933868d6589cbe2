import { constantTimeEqual } from '../../../metadata/scram-formatter.js';
import { SaslAuthenticationError, type SaslServer, type SaslStep } from './sasl-server.js';

/**
 * PLAIN (RFC 4616) as Kafka's PlainSaslServer: one token, `[authzid] NUL authcid NUL passwd`,
 * checked against the listener's JAAS options `user_<name>="<password>"`.
 */
export class PlainSaslServer implements SaslServer {
  readonly mechanism = 'PLAIN';

  constructor(private readonly passwords: ReadonlyMap<string, Buffer>) {}

  evaluate(token: Buffer): SaslStep {
    const parts = token.toString('utf8').split('\u0000');
    if (parts.length !== 3) {
      throw new SaslAuthenticationError('Invalid SASL/PLAIN response: expected 3 tokens', null);
    }
    const [authzid, user, password] = parts as [string, string, string];
    if (user === '') throw new SaslAuthenticationError('Authentication failed: username not specified', null);
    if (password === '')
      throw new SaslAuthenticationError('Authentication failed: password not specified', user);
    const expected = this.passwords.get(user);
    // Compared whatever the user, in constant time, so a wrong user costs what a wrong password does.
    const given = Buffer.from(password, 'utf8');
    const match = constantTimeEqual(given, expected ?? Buffer.alloc(given.length)) && expected !== undefined;
    if (!match)
      throw new SaslAuthenticationError('Authentication failed: Invalid username or password', user);
    if (authzid !== '' && authzid !== user) {
      throw new SaslAuthenticationError(
        'Authentication failed: Client requested an authorization id that is different from username',
        user,
      );
    }
    return { response: Buffer.alloc(0), authenticatedUser: user };
  }
}

/** The passwords of `user_<name>="<password>"` options of a PlainLoginModule JAAS config. */
export function plainPasswords(options: ReadonlyMap<string, string>): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of options)
    if (k.startsWith('user_')) out.set(k.slice('user_'.length), Buffer.from(v, 'utf8'));
  return out;
}
