import type { ConnectionOptions } from 'node:tls';
import { InvalidConfigError } from '../../common/config-def.js';
import type { SaslClientMechanism } from '../../common/sasl-client-exchange.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { type SecurityProtocol, usesSasl, usesTls } from '../config/listener-config.js';
import { parseJaasConfig } from './sasl/jaas-config.js';
import { SUPPORTED_SASL_MECHANISMS } from './sasl/sasl-listener-config.js';
import {
  cipherOptions,
  keystoreOptions,
  protocolVersions,
  truststoreCertificates,
} from './tls-server-options.js';

/** How this broker connects to the others' inter-broker listener: TLS as that listener's client, SASL as a user of it. */
export interface InterBrokerSecurity {
  readonly securityProtocol: SecurityProtocol;
  /** Node's tls.connect options on SSL and SASL_SSL; null on the plaintext protocols. */
  readonly tls: ConnectionOptions | null;
  /** The mechanism and credentials on SASL_PLAINTEXT and SASL_SSL; null otherwise. */
  readonly sasl: {
    readonly mechanism: SaslClientMechanism;
    readonly username: string;
    readonly password: string;
  } | null;
}

const LOGIN_MODULES: Readonly<Record<SaslClientMechanism, string>> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
};

/**
 * The client side of `inter.broker.listener.name`, as Kafka's broker builds it
 * (ChannelBuilders.clientChannelBuilder with the listener's own configs): over TLS the listener's
 * keystore is this broker's certificate (seen by a peer asking for client certificates) and its
 * truststore checks the peer's, with `ssl.endpoint.identification.algorithm`; over SASL the
 * mechanism is `sasl.mechanism.inter.broker.protocol` and the user is the `username` and `password`
 * of that mechanism's JAAS config on the listener
 * (`listener.name.<name>.<mechanism>.sasl.jaas.config`). Read at start so that a missing
 * credential stops the broker rather than every request to another.
 */
export function interBrokerSecurity(config: BrokerConfig): InterBrokerSecurity {
  const name = config.listenerConfig.interBrokerListenerName;
  const listener = config.listeners.find((l) => l.name === name);
  // The listener config checks inter.broker.listener.name is advertised, hence a listener.
  const securityProtocol = listener?.securityProtocol ?? 'PLAINTEXT';
  return {
    securityProtocol,
    tls: usesTls(securityProtocol) ? tlsClientOptions(config, name) : null,
    sasl: usesSasl(securityProtocol) ? saslCredentials(config, name) : null,
  };
}

function tlsClientOptions(config: BrokerConfig, listenerName: string): ConnectionOptions {
  const raw = (key: string): string | null => config.listenerRaw(listenerName, key);
  const options: ConnectionOptions = {
    ...keystoreOptions(raw, config.listenerValue(listenerName, 'ssl.keystore.type'), listenerName),
    ...protocolVersions(config.listenerValue(listenerName, 'ssl.enabled.protocols')),
  };
  const ca = truststoreCertificates(raw, config.listenerValue(listenerName, 'ssl.truststore.type'));
  if (ca !== null) options.ca = ca;
  const ciphers = config.listenerValue(listenerName, 'ssl.cipher.suites');
  if (ciphers.length > 0) Object.assign(options, cipherOptions(ciphers));
  // An empty ssl.endpoint.identification.algorithm turns host name verification off, as in Kafka;
  // the peer's certificate must still be signed by a trusted CA.
  if (config.listenerValue(listenerName, 'ssl.endpoint.identification.algorithm').trim() === '') {
    options.checkServerIdentity = () => undefined;
  }
  return options;
}

function saslCredentials(
  config: BrokerConfig,
  listenerName: string,
): NonNullable<InterBrokerSecurity['sasl']> {
  const mechanism = config.get('sasl.mechanism.inter.broker.protocol').toUpperCase() as SaslClientMechanism;
  if (!(SUPPORTED_SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new InvalidConfigError(
      'sasl.mechanism.inter.broker.protocol',
      `SASL mechanism ${mechanism} is not supported between brokers; Strom supports ${SUPPORTED_SASL_MECHANISMS.join(', ')}`,
    );
  }
  const key = `listener.name.${listenerName.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config`;
  const text = config.listenerRaw(listenerName, `${mechanism.toLowerCase()}.sasl.jaas.config`);
  const missing = `the inter-broker listener ${listenerName} uses ${mechanism}: ${key} needs ${LOGIN_MODULES[mechanism]} with the username and password this broker authenticates with`;
  if (text === null) throw new InvalidConfigError(key, missing);
  const module = parseJaasConfig(text, key);
  const username = module.options.get('username');
  const password = module.options.get('password');
  if (module.loginModule !== LOGIN_MODULES[mechanism] || username === undefined || password === undefined) {
    throw new InvalidConfigError(key, missing);
  }
  return { mechanism, username, password };
}
