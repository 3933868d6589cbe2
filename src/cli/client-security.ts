import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { parseJaasConfig } from '../broker/security/sasl/jaas-config.js';
import {
  cipherOptions,
  keystoreOptions,
  protocolVersions,
  truststoreCertificates,
} from '../broker/security/tls-server-options.js';
import type { KafkaConfig, SaslOptions } from '../client/index.js';
import { InvalidConfigError } from '../common/config-def.js';
import { parseProperties } from '../common/properties.js';
import { UsageError } from './usage-error.js';

/** Kafka's client security keys, which --command-config (and --producer-property, --consumer-property) take. */
export const CLIENT_SECURITY_KEYS: ReadonlySet<string> = new Set([
  'security.protocol',
  'sasl.mechanism',
  'sasl.jaas.config',
  'ssl.truststore.location',
  'ssl.truststore.password',
  'ssl.truststore.type',
  'ssl.truststore.certificates',
  'ssl.keystore.location',
  'ssl.keystore.password',
  'ssl.keystore.type',
  'ssl.keystore.key',
  'ssl.keystore.certificate.chain',
  'ssl.key.password',
  'ssl.endpoint.identification.algorithm',
  'ssl.enabled.protocols',
  'ssl.cipher.suites',
]);

/** Reads a --command-config properties file. */
export function readCommandConfig(file: string): Map<string, string> {
  try {
    return parseProperties(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read --command-config ${file}: ${(err as Error).message}`);
  }
}

const MECHANISMS: Readonly<Record<string, SaslOptions['mechanism']>> = {
  PLAIN: 'plain',
  'SCRAM-SHA-256': 'scram-sha-256',
  'SCRAM-SHA-512': 'scram-sha-512',
};

/**
 * The `ssl` and `sasl` settings of the Strom client from Kafka's client keys, as Kafka's scripts
 * read them from `--command-config client.properties`: `security.protocol`, `sasl.mechanism`,
 * `sasl.jaas.config` (PlainLoginModule or ScramLoginModule with username and password), and the
 * `ssl.*` store keys (PEM, or a PKCS12 keystore).
 */
export function clientSecurityFrom(props: ReadonlyMap<string, string>): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  try {
    return securityFrom(props);
  } catch (err) {
    if (err instanceof InvalidConfigError) throw new UsageError(err.message);
    throw err;
  }
}

function securityFrom(props: ReadonlyMap<string, string>): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const protocol = (props.get('security.protocol') ?? 'PLAINTEXT').trim().toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
    throw new UsageError(
      `security.protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, got '${protocol}'`,
    );
  }
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (protocol === 'SSL' || protocol === 'SASL_SSL') out.ssl = tlsFrom(props);
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') out.sasl = saslFrom(props);
  return out;
}

function tlsFrom(props: ReadonlyMap<string, string>): TlsConnectionOptions {
  const raw = (key: string): string | null => props.get(key) ?? null;
  const tls: TlsConnectionOptions = {};
  const ca = truststoreCertificates(raw, (props.get('ssl.truststore.type') ?? 'JKS').toUpperCase());
  if (ca !== null) tls.ca = ca;
  // A client keystore is optional: it is the client's certificate for mutual TLS.
  if (raw('ssl.keystore.location') !== null || raw('ssl.keystore.key') !== null) {
    Object.assign(
      tls,
      keystoreOptions(raw, (props.get('ssl.keystore.type') ?? 'JKS').toUpperCase(), 'client'),
    );
  }
  const enabled = props.get('ssl.enabled.protocols');
  if (enabled) Object.assign(tls, protocolVersions(enabled.split(',').map((s) => s.trim())));
  const suites = props.get('ssl.cipher.suites');
  if (suites) Object.assign(tls, cipherOptions(suites.split(',').map((s) => s.trim())));
  // Java's default is https (the certificate must name the host); empty turns the check off.
  if (props.get('ssl.endpoint.identification.algorithm')?.trim() === '')
    tls.checkServerIdentity = () => undefined;
  return tls;
}

function saslFrom(props: ReadonlyMap<string, string>): SaslOptions {
  const mechanismName = (props.get('sasl.mechanism') ?? 'GSSAPI').trim().toUpperCase();
  const mechanism = MECHANISMS[mechanismName];
  if (!mechanism) {
    throw new UsageError(
      `sasl.mechanism ${mechanismName} is not supported: use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`,
    );
  }
  const jaas = props.get('sasl.jaas.config');
  if (!jaas) throw new UsageError('sasl.jaas.config is required with a SASL security.protocol');
  const module = parseJaasConfig(jaas, 'sasl.jaas.config');
  const username = module.options.get('username');
  const password = module.options.get('password');
  if (username === undefined || password === undefined) {
    throw new UsageError('sasl.jaas.config must give username and password');
  }
  return { mechanism, username, password };
}
