import { InvalidConfigError } from '../../../common/config-def.js';
import { isScramMechanism } from '../../../metadata/scram-formatter.js';
import type { BrokerConfig } from '../../config/broker-config.js';
import { parseJaasConfig } from './jaas-config.js';
import { plainPasswords } from './plain-server.js';

/** The mechanisms Strom serves. */
export const SUPPORTED_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

const PLAIN_LOGIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';
const SCRAM_LOGIN_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';

/** What one SASL listener accepts. */
export interface SaslListenerConfig {
  /** sasl.enabled.mechanisms for the listener, in the order configured. */
  readonly mechanisms: readonly string[];
  /** PLAIN's users and passwords, from the listener's PlainLoginModule JAAS config; empty without PLAIN. */
  readonly plainPasswords: ReadonlyMap<string, Buffer>;
}

/**
 * A SASL listener's settings: `sasl.enabled.mechanisms` (per listener with
 * `listener.name.<name>.sasl.enabled.mechanisms`) and, for PLAIN, the users of
 * `listener.name.<name>.plain.sasl.jaas.config`, as Kafka's broker reads them. Checked before the
 * broker listens.
 */
export function saslListenerConfig(config: BrokerConfig, listenerName: string): SaslListenerConfig {
  const mechanisms = config
    .listenerValue(listenerName, 'sasl.enabled.mechanisms')
    .map((m) => m.toUpperCase());
  if (mechanisms.length === 0) {
    throw new InvalidConfigError(
      'sasl.enabled.mechanisms',
      `listener ${listenerName} uses SASL and enables no mechanism`,
    );
  }
  for (const m of mechanisms) {
    if (!(SUPPORTED_SASL_MECHANISMS as readonly string[]).includes(m)) {
      throw new InvalidConfigError(
        'sasl.enabled.mechanisms',
        `SASL mechanism ${m} of listener ${listenerName} is not supported; Strom supports ${SUPPORTED_SASL_MECHANISMS.join(', ')}`,
      );
    }
  }
  let passwords = new Map<string, Buffer>();
  if (mechanisms.includes('PLAIN')) {
    const key = `listener.name.${listenerName.toLowerCase()}.plain.sasl.jaas.config`;
    const text = config.listenerRaw(listenerName, 'plain.sasl.jaas.config');
    if (text === null) {
      throw new InvalidConfigError(
        key,
        `listener ${listenerName} enables PLAIN and needs its users in ${key}`,
      );
    }
    const module = parseJaasConfig(text, key);
    if (module.loginModule !== PLAIN_LOGIN_MODULE) {
      throw new InvalidConfigError(key, `PLAIN needs ${PLAIN_LOGIN_MODULE}, not ${module.loginModule}`);
    }
    passwords = plainPasswords(module.options);
  }
  for (const m of mechanisms.filter(isScramMechanism)) {
    // SCRAM's users are in the metadata log; a JAAS config for it only names the login module.
    const text = config.listenerRaw(listenerName, `${m.toLowerCase()}.sasl.jaas.config`);
    const key = `listener.name.${listenerName.toLowerCase()}.${m.toLowerCase()}.sasl.jaas.config`;
    if (text !== null && parseJaasConfig(text, key).loginModule !== SCRAM_LOGIN_MODULE) {
      throw new InvalidConfigError(key, `${m} needs ${SCRAM_LOGIN_MODULE}`);
    }
  }
  return { mechanisms, plainPasswords: passwords };
}
