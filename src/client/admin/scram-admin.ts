import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ClientError } from '../client-error.js';
import { Apis } from '../network/apis.js';
import type { Cluster } from '../network/cluster.js';

export type ScramMechanismName = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** Kafka's ScramMechanism type bytes. */
const MECHANISMS: Readonly<Record<ScramMechanismName, { type: number; hash: string; keyBytes: number }>> = {
  'SCRAM-SHA-256': { type: 1, hash: 'sha256', keyBytes: 32 },
  'SCRAM-SHA-512': { type: 2, hash: 'sha512', keyBytes: 64 },
};

function mechanismName(type: number): ScramMechanismName | 'UNKNOWN' {
  if (type === 1) return 'SCRAM-SHA-256';
  if (type === 2) return 'SCRAM-SHA-512';
  return 'UNKNOWN';
}

/** A SCRAM credential to set (the password is salted here and never sent) or remove. */
export type ScramAlteration =
  | {
      readonly kind: 'upsert';
      readonly user: string;
      readonly mechanism: ScramMechanismName;
      readonly iterations: number;
      readonly password: string;
      /** Random 32 bytes when omitted. */
      readonly salt?: Buffer;
    }
  | { readonly kind: 'delete'; readonly user: string; readonly mechanism: ScramMechanismName };

export interface ScramUserResult {
  readonly user: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface ScramUserDescription extends ScramUserResult {
  readonly credentials: { mechanism: ScramMechanismName | 'UNKNOWN'; iterations: number }[];
}

/**
 * AlterUserScramCredentials (KIP-554), as Java's Admin.alterUserScramCredentials: the client salts
 * the password (PBKDF2 with the mechanism's HMAC) and sends only the salt and the salted password.
 * One result per user; check `errorCode` (0 when that user's changes were applied).
 */
export async function alterUserScramCredentials(
  cluster: Cluster,
  alterations: readonly ScramAlteration[],
  signal?: AbortSignal,
): Promise<ScramUserResult[]> {
  const deletions = [];
  const upsertions = [];
  for (const a of alterations) {
    const m = MECHANISMS[a.mechanism];
    if (!m) throw new ClientError('INVALID_ARGUMENT', `unknown SCRAM mechanism ${a.mechanism}`);
    if (a.kind === 'delete') {
      deletions.push({ name: a.user, mechanism: m.type });
      continue;
    }
    if (!Number.isInteger(a.iterations) || a.iterations <= 0) {
      throw new ClientError('INVALID_ARGUMENT', `iterations must be a positive integer, not ${a.iterations}`);
    }
    const salt = a.salt ?? randomBytes(32);
    const saltedPassword = pbkdf2Sync(a.password, salt, a.iterations, m.keyBytes, m.hash);
    upsertions.push({ name: a.user, mechanism: m.type, iterations: a.iterations, salt, saltedPassword });
  }
  const conn = await cluster.anyConnection(signal);
  const res = await conn.request(
    Apis.AlterUserScramCredentials,
    { deletions, upsertions },
    signal ? { signal } : {},
  );
  return res.results.map((r) => ({ user: r.user, errorCode: r.errorCode, errorMessage: r.errorMessage }));
}

/** DescribeUserScramCredentials: each user's mechanisms and iterations (every user when `users` is omitted). */
export async function describeUserScramCredentials(
  cluster: Cluster,
  users?: readonly string[],
  signal?: AbortSignal,
): Promise<ScramUserDescription[]> {
  const conn = await cluster.anyConnection(signal);
  const res = await conn.request(
    Apis.DescribeUserScramCredentials,
    { users: users ? users.map((name) => ({ name })) : null },
    signal ? { signal } : {},
  );
  if (res.errorCode !== ErrorCode.NONE) {
    throw new ClientError('KAFKA_ERROR', res.errorMessage ?? 'DescribeUserScramCredentials failed', {
      kafkaCode: res.errorCode,
    });
  }
  return res.results.map((r) => ({
    user: r.user,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    credentials: r.credentialInfos.map((c) => ({
      mechanism: mechanismName(c.mechanism),
      iterations: c.iterations,
    })),
  }));
}
