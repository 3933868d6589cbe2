import { ErrorCode } from '../../protocol/error-codes.js';
import type { MetadataImage } from '../metadata-image.js';
import {
  SCRAM_MAX_ITERATIONS,
  SCRAM_MECHANISMS,
  type ScramMechanism,
  scramCredential,
  scramMechanismOfType,
} from '../scram-formatter.js';
import type { ControllerResult, MetadataRecord } from './metadata-record.js';

export interface ScramDeletion {
  readonly name: string;
  readonly mechanism: number;
}
export interface ScramUpsertion extends ScramDeletion {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly saltedPassword: Buffer;
}
export interface ScramAlterationResult {
  readonly user: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

interface Failure {
  readonly errorCode: number;
  readonly errorMessage: string;
}

/**
 * AlterUserScramCredentials as Kafka's ScramControlManager: each user's deletions and upsertions
 * succeed or fail together, one result per user; an upsertion is stored as Kafka's
 * UserScramCredentialRecord (salt, stored key, server key, iterations: never the password).
 */
export function alterUserScramCredentials(
  image: MetadataImage,
  deletions: readonly ScramDeletion[],
  upsertions: readonly ScramUpsertion[],
): ControllerResult<ScramAlterationResult[]> {
  const users: string[] = [];
  const failures = new Map<string, Failure>();
  const records = new Map<string, MetadataRecord[]>();
  const seen = new Set<string>();
  const fail = (user: string, errorCode: number, errorMessage: string): void => {
    if (!failures.has(user)) failures.set(user, { errorCode, errorMessage });
  };
  const check = (a: ScramDeletion): ScramMechanism | null => {
    if (!users.includes(a.name)) users.push(a.name);
    if (a.name === '') {
      fail(a.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
      return null;
    }
    const mechanism = scramMechanismOfType(a.mechanism);
    if (mechanism === null) {
      fail(a.name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism');
      return null;
    }
    const key = `${a.name}\u0000${a.mechanism}`;
    if (seen.has(key)) {
      fail(
        a.name,
        ErrorCode.DUPLICATE_RESOURCE,
        'A user credential cannot be altered twice in the same request',
      );
      return null;
    }
    seen.add(key);
    return mechanism;
  };
  const add = (user: string, r: MetadataRecord): void => {
    const list = records.get(user) ?? [];
    list.push(r);
    records.set(user, list);
  };
  for (const d of deletions) {
    if (check(d) === null) continue;
    if (!image.scramCredentials.get(d.name)?.has(d.mechanism)) {
      fail(d.name, ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist');
      continue;
    }
    add(d.name, { type: 'RemoveUserScramCredentialRecord', data: { name: d.name, mechanism: d.mechanism } });
  }
  for (const u of upsertions) {
    const mechanism = check(u);
    if (mechanism === null) continue;
    if (u.iterations < SCRAM_MECHANISMS[mechanism].minIterations) {
      fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations');
      continue;
    }
    if (u.iterations > SCRAM_MAX_ITERATIONS) {
      fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations');
      continue;
    }
    if (u.saltedPassword.length !== SCRAM_MECHANISMS[mechanism].keyBytes || u.salt.length === 0) {
      fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Invalid salt or salted password');
      continue;
    }
    const c = scramCredential(mechanism, u.saltedPassword, u.salt, u.iterations);
    add(u.name, { type: 'UserScramCredentialRecord', data: { name: u.name, mechanism: u.mechanism, ...c } });
  }
  const out: MetadataRecord[] = [];
  const results = users.map((user) => {
    const f = failures.get(user);
    if (f) return { user, errorCode: f.errorCode, errorMessage: f.errorMessage };
    out.push(...(records.get(user) ?? []));
    return { user, errorCode: ErrorCode.NONE, errorMessage: null };
  });
  return { records: out, response: results };
}

export interface ScramDescription {
  readonly user: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly credentialInfos: { mechanism: number; iterations: number }[];
}

/** DescribeUserScramCredentials: the mechanisms and iterations of each user (every user for null), as Kafka answers. */
export function describeUserScramCredentials(
  image: MetadataImage,
  users: readonly string[] | null,
): ScramDescription[] {
  const describe = (user: string): ScramDescription => {
    const byMechanism = image.scramCredentials.get(user);
    if (!byMechanism) {
      return {
        user,
        errorCode: ErrorCode.RESOURCE_NOT_FOUND,
        errorMessage: `Attempt to describe a user credential that does not exist: ${user}`,
        credentialInfos: [],
      };
    }
    const credentialInfos = [...byMechanism].map(([mechanism, c]) => ({
      mechanism,
      iterations: c.iterations,
    }));
    return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos };
  };
  if (users === null) return [...image.scramCredentials.keys()].sort().map(describe);
  const counts = new Map<string, number>();
  for (const u of users) counts.set(u, (counts.get(u) ?? 0) + 1);
  return [...counts].map(([user, n]) =>
    n > 1
      ? {
          user,
          errorCode: ErrorCode.DUPLICATE_RESOURCE,
          errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`,
          credentialInfos: [],
        }
      : describe(user),
  );
}
