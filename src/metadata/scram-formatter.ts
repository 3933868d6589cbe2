import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

/** Kafka's ScramMechanism: the mechanism names, their hash, and the type byte of UserScramCredentialRecord. */
export const SCRAM_MECHANISMS = {
  'SCRAM-SHA-256': { hash: 'sha256', keyBytes: 32, type: 1, minIterations: 4096 },
  'SCRAM-SHA-512': { hash: 'sha512', keyBytes: 64, type: 2, minIterations: 4096 },
} as const;
export type ScramMechanism = keyof typeof SCRAM_MECHANISMS;

/** Kafka's limit on iterations (the controller refuses more: UNACCEPTABLE_CREDENTIAL). */
export const SCRAM_MAX_ITERATIONS = 16384;

export function isScramMechanism(name: string): name is ScramMechanism {
  return name === 'SCRAM-SHA-256' || name === 'SCRAM-SHA-512';
}

export function scramMechanismOfType(type: number): ScramMechanism | null {
  if (type === 1) return 'SCRAM-SHA-256';
  if (type === 2) return 'SCRAM-SHA-512';
  return null;
}

/** What a broker keeps of a SCRAM password (RFC 5802 §3): never the password itself. */
export interface ScramCredential {
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
  readonly iterations: number;
}

export function hmac(mechanism: ScramMechanism, key: Buffer, data: Buffer | string): Buffer {
  return createHmac(SCRAM_MECHANISMS[mechanism].hash, key).update(data).digest();
}

export function hash(mechanism: ScramMechanism, data: Buffer): Buffer {
  return createHash(SCRAM_MECHANISMS[mechanism].hash).update(data).digest();
}

/** Hi(password, salt, i) of RFC 5802: PBKDF2 with the mechanism's HMAC. */
export function saltedPassword(
  mechanism: ScramMechanism,
  password: Buffer | string,
  salt: Buffer,
  iterations: number,
): Buffer {
  const m = SCRAM_MECHANISMS[mechanism];
  return pbkdf2Sync(password, salt, iterations, m.keyBytes, m.hash);
}

/** The stored key and server key of a salted password (Kafka's ScramFormatter.generateCredential). */
export function scramCredential(
  mechanism: ScramMechanism,
  salted: Buffer,
  salt: Buffer,
  iterations: number,
): ScramCredential {
  const clientKey = hmac(mechanism, salted, 'Client Key');
  return {
    salt,
    storedKey: hash(mechanism, clientKey),
    serverKey: hmac(mechanism, salted, 'Server Key'),
    iterations,
  };
}

export function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ (b[i] ?? 0);
  return out;
}

/** Equal lengths and contents, in time that does not depend on where they differ. */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
