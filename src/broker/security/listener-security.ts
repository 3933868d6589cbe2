import { InvalidConfigError } from '../../common/config-def.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { usesSasl, usesTls } from '../config/listener-config.js';
import { type SaslListenerConfig, saslListenerConfig } from './sasl/sasl-listener-config.js';
import { type ListenerTls, listenerTls } from './tls-server-options.js';

export interface ListenerSecurity {
  /** TLS settings of the SSL and SASL_SSL listeners. */
  readonly tls: ReadonlyMap<string, ListenerTls>;
  /** SASL settings of the SASL_PLAINTEXT and SASL_SSL listeners. */
  readonly sasl: ReadonlyMap<string, SaslListenerConfig>;
}

/**
 * The TLS and SASL settings of every listener, read and checked before the broker listens, so that
 * a bad keystore or an unknown mechanism stops the start rather than the first client.
 */
export function listenerSecurity(config: BrokerConfig): ListenerSecurity {
  const tls = new Map<string, ListenerTls>();
  const sasl = new Map<string, SaslListenerConfig>();
  for (const l of config.listeners) {
    if (usesTls(l.securityProtocol)) tls.set(l.name, listenerTls(config, l.name));
    if (usesSasl(l.securityProtocol)) sasl.set(l.name, saslListenerConfig(config, l.name));
  }
  // KafkaConfig: the inter-broker mechanism must be one the inter-broker listener accepts.
  const interBroker = config.listenerConfig.interBrokerListenerName;
  const interBrokerSasl = sasl.get(interBroker);
  const mechanism = config.get('sasl.mechanism.inter.broker.protocol').toUpperCase();
  if (interBrokerSasl && !interBrokerSasl.mechanisms.includes(mechanism)) {
    throw new InvalidConfigError(
      'sasl.mechanism.inter.broker.protocol',
      'sasl.mechanism.inter.broker.protocol must be included in sasl.enabled.mechanisms when SASL is used for inter-broker communication',
    );
  }
  return { tls, sasl };
}

/** The SASL settings of the SASL listeners (for the SASL handlers, once the start has checked them). */
export function saslListeners(config: BrokerConfig): Map<string, SaslListenerConfig> {
  const out = new Map<string, SaslListenerConfig>();
  for (const l of config.listeners)
    if (usesSasl(l.securityProtocol)) out.set(l.name, saslListenerConfig(config, l.name));
  return out;
}
