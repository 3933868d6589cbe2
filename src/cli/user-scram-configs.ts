import type { Admin, ScramAlteration, ScramMechanismName } from '../client/index.js';
import { writeOut } from './command-action.js';
import { parseKeyValues } from './key-values.js';
import { UsageError } from './usage-error.js';

const SCRAM_MECHANISMS: readonly ScramMechanismName[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];
/** Kafka's ConfigCommand default when `iterations=` is left out. */
const DEFAULT_ITERATIONS = 4096;

/** Whether a user config key names a SCRAM mechanism (Kafka's ScramMechanism.isScram). */
export function isScramKey(key: string): boolean {
  return SCRAM_MECHANISMS.some((s) => s === key.toUpperCase());
}

function scramMechanism(key: string): ScramMechanismName {
  const m = SCRAM_MECHANISMS.find((s) => s === key.toUpperCase());
  if (!m) {
    throw new UsageError(`${key} is not a SCRAM mechanism: SCRAM-SHA-256 or SCRAM-SHA-512`);
  }
  return m;
}

/**
 * `--alter --entity-type users`: SCRAM credentials with Kafka's syntax,
 * `--add-config 'SCRAM-SHA-256=[iterations=8192,password=alice-secret]'` and
 * `--delete-config SCRAM-SHA-512`, as kafka-configs.sh sends them (AlterUserScramCredentials).
 */
export async function alterUserScram(
  admin: Admin,
  user: string,
  addConfig: string | undefined,
  deleteConfig: string | undefined,
): Promise<void> {
  const alterations: ScramAlteration[] = [];
  const added = parseKeyValues(addConfig === undefined ? [] : [addConfig], '--add-config');
  for (const [key, value] of added) {
    const mechanism = scramMechanism(key);
    const inner = /^\[(.*)\]$/.exec(value.trim())?.[1] ?? value;
    const settings = parseKeyValues(inner === '' ? [] : [inner], key);
    const password = settings.get('password');
    if (password === undefined) throw new UsageError(`${key} needs password=...`);
    for (const k of settings.keys()) {
      if (k !== 'password' && k !== 'iterations')
        throw new UsageError(`${key} takes iterations and password, not ${k}`);
    }
    const iterationsText = settings.get('iterations');
    if (iterationsText !== undefined && !/^\d+$/.test(iterationsText)) {
      throw new UsageError(`iterations must be a number, got '${iterationsText}'`);
    }
    const iterations = iterationsText === undefined ? DEFAULT_ITERATIONS : Number(iterationsText);
    alterations.push({ kind: 'upsert', user, mechanism, iterations, password });
  }
  for (const key of (deleteConfig ?? '').split(',').map((k) => k.trim())) {
    if (key !== '') alterations.push({ kind: 'delete', user, mechanism: scramMechanism(key) });
  }
  if (alterations.length === 0) throw new UsageError('--alter needs --add-config or --delete-config');
  const results = await admin.alterUserScramCredentials(alterations);
  const failed = results.find((r) => r.errorCode !== 0);
  if (failed)
    throw new UsageError(`user ${failed.user}: ${failed.errorMessage ?? `error ${failed.errorCode}`}`);
  await writeOut(`Completed updating config for user ${user}.\n`);
}

/** `--describe --entity-type users`: each user's SCRAM mechanisms and iterations, in kafka-configs.sh's words. */
export async function describeUserScram(admin: Admin, user: string | undefined): Promise<void> {
  const described = await admin.describeUserScramCredentials(user === undefined ? undefined : [user]);
  let out = '';
  for (const d of described) {
    if (d.errorCode !== 0 || d.credentials.length === 0) continue;
    const list = d.credentials.map((c) => `${c.mechanism}=iterations=${c.iterations}`).join(', ');
    out += `SCRAM credential configs for user-principal '${d.user}' are ${list}\n`;
  }
  await writeOut(out);
}
