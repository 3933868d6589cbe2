import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureVersion, type TlsOptions } from 'node:tls';
import { InvalidConfigError } from '../../common/config-def.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { pkcs12TrustedCertificates } from './pkcs12-truststore.js';
import { SslPrincipalMapper } from './ssl-principal-mapper.js';

export type SslClientAuth = 'none' | 'requested' | 'required';

/** What a TLS listener needs: Node's server options, whether a client certificate is asked for, the principal rules. */
export interface ListenerTls {
  readonly options: TlsOptions;
  readonly clientAuth: SslClientAuth;
  readonly principalMapper: SslPrincipalMapper;
}

const JKS_MAGIC = 0xfeedfeed;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/**
 * The TLS settings of one listener from Kafka's `ssl.*` keys (each may be overridden with
 * `listener.name.<name>.ssl.*`), read and checked before the broker listens: a keystore that
 * cannot be read, a wrong password or an unknown cipher stops the start with the key named.
 */
export function listenerTls(config: BrokerConfig, listenerName: string): ListenerTls {
  const raw = (key: string): string | null => config.listenerRaw(listenerName, key);
  const value = <K extends Parameters<BrokerConfig['get']>[0]>(key: K) =>
    config.listenerValue(listenerName, key);
  const options: TlsOptions = { ...keystoreOptions(raw, value('ssl.keystore.type'), listenerName) };
  const ca = truststoreCertificates(raw, value('ssl.truststore.type'));
  if (ca !== null) options.ca = ca;
  const clientAuth = value('ssl.client.auth') as SslClientAuth;
  if (clientAuth !== 'none') {
    if (ca === null) {
      throw new InvalidConfigError(
        'ssl.truststore.location',
        `listener ${listenerName} asks for client certificates (ssl.client.auth=${clientAuth}) but has no truststore to check them`,
      );
    }
    options.requestCert = true;
    // "requested": a client may present no certificate; one it presents must still be valid,
    // which the connection checks once the handshake is done (Java's setWantClientAuth).
    options.rejectUnauthorized = clientAuth === 'required';
  }
  Object.assign(options, protocolVersions(value('ssl.enabled.protocols')));
  const ciphers = value('ssl.cipher.suites');
  if (ciphers.length > 0) Object.assign(options, cipherOptions(ciphers));
  try {
    createSecureContext(options);
  } catch (err) {
    throw new InvalidConfigError(
      'ssl.keystore.location',
      `listener ${listenerName}: TLS settings not usable: ${(err as Error).message}`,
    );
  }
  return {
    options,
    clientAuth,
    principalMapper: new SslPrincipalMapper(value('ssl.principal.mapping.rules')),
  };
}

function readStore(key: string, location: string): Buffer {
  try {
    return readFileSync(location);
  } catch (err) {
    throw new InvalidConfigError(key, `cannot read ${location}: ${(err as Error).message}`);
  }
}

/** Java reads a PKCS12 file declared JKS (keystore.type.compat); a real JKS file Node cannot read. */
function storeFormat(key: string, location: string, bytes: Buffer, declared: string): 'PEM' | 'PKCS12' {
  const isPem = bytes.includes('-----BEGIN ');
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC) {
    throw new InvalidConfigError(
      key,
      `${location} is a JKS keystore, which Strom cannot read; convert it to PKCS12 with keytool -importkeystore -srckeystore ${location} -destkeystore ${location}.p12 -deststoretype PKCS12 and set ${key.replace('location', 'type')}=PKCS12`,
    );
  }
  if (declared === 'PEM') {
    if (!isPem) throw new InvalidConfigError(key, `${location} is not a PEM file`);
    return 'PEM';
  }
  if (isPem) {
    throw new InvalidConfigError(
      key,
      `${location} is a PEM file: set ${key.replace('location', 'type')}=PEM`,
    );
  }
  return 'PKCS12';
}

function pemBlocks(text: string, kinds: RegExp): string[] {
  return [...text.matchAll(PEM_BLOCK)].filter((m) => kinds.test(m[1]!)).map((m) => m[0]);
}

export function keystoreOptions(
  raw: (key: string) => string | null,
  type: string,
  listenerName: string,
): Pick<TlsOptions, 'key' | 'cert' | 'pfx' | 'passphrase'> {
  const location = raw('ssl.keystore.location');
  const inlineKey = raw('ssl.keystore.key');
  const inlineChain = raw('ssl.keystore.certificate.chain');
  const keyPassword = raw('ssl.key.password');
  if (inlineKey !== null || inlineChain !== null) {
    // KIP-651: the key and chain inline, in the properties themselves.
    if (type !== 'PEM') throw new InvalidConfigError('ssl.keystore.key', 'needs ssl.keystore.type=PEM');
    if (inlineKey === null || inlineChain === null) {
      throw new InvalidConfigError(
        'ssl.keystore.key',
        'ssl.keystore.key and ssl.keystore.certificate.chain go together',
      );
    }
    if (location !== null) {
      throw new InvalidConfigError('ssl.keystore.location', 'cannot be set with ssl.keystore.key');
    }
    return pemKeyAndChain(inlineKey, inlineChain, keyPassword, 'ssl.keystore.key');
  }
  if (location === null) {
    throw new InvalidConfigError(
      'ssl.keystore.location',
      `listener ${listenerName} uses TLS and needs a keystore (ssl.keystore.location, or ssl.keystore.key and ssl.keystore.certificate.chain)`,
    );
  }
  const bytes = readStore('ssl.keystore.location', location);
  if (storeFormat('ssl.keystore.location', location, bytes, type) === 'PEM') {
    const text = bytes.toString('utf8');
    return pemKeyAndChain(text, text, keyPassword, 'ssl.keystore.location');
  }
  const password = raw('ssl.keystore.password');
  return { pfx: bytes, ...(password !== null ? { passphrase: password } : {}) };
}

function pemKeyAndChain(
  keyText: string,
  chainText: string,
  password: string | null,
  key: string,
): Pick<TlsOptions, 'key' | 'cert' | 'passphrase'> {
  const keys = pemBlocks(keyText, /PRIVATE KEY/);
  const certs = pemBlocks(chainText, /^CERTIFICATE$/);
  if (keys.length !== 1)
    throw new InvalidConfigError(key, `expected one PEM private key, found ${keys.length}`);
  if (certs.length === 0) throw new InvalidConfigError(key, 'no PEM certificate found');
  if (keys[0]!.includes('ENCRYPTED') && password === null) {
    throw new InvalidConfigError(
      'ssl.key.password',
      'the private key is encrypted and ssl.key.password is not set',
    );
  }
  return { key: keys[0]!, cert: certs.join('\n'), ...(password !== null ? { passphrase: password } : {}) };
}

/** The trusted certificates in PEM, or null when no truststore is configured. */
export function truststoreCertificates(raw: (key: string) => string | null, type: string): string | null {
  const inline = raw('ssl.truststore.certificates');
  const location = raw('ssl.truststore.location');
  let text: string;
  let key: string;
  if (inline !== null) {
    if (type !== 'PEM')
      throw new InvalidConfigError('ssl.truststore.certificates', 'needs ssl.truststore.type=PEM');
    text = inline;
    key = 'ssl.truststore.certificates';
  } else if (location !== null) {
    key = 'ssl.truststore.location';
    const bytes = readStore(key, location);
    if (storeFormat(key, location, bytes, type) === 'PKCS12')
      return pkcs12TrustedCertificates(key, location, bytes, raw('ssl.truststore.password')).join('\n');
    text = bytes.toString('utf8');
  } else {
    return null;
  }
  const certs = pemBlocks(text, /^(TRUSTED )?CERTIFICATE$/);
  if (certs.length === 0) throw new InvalidConfigError(key, 'no PEM certificate found');
  return certs.join('\n');
}

const TLS_VERSIONS: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

export function protocolVersions(enabled: readonly string[]): Pick<TlsOptions, 'minVersion' | 'maxVersion'> {
  const versions = TLS_VERSIONS.filter((v) => enabled.includes(v));
  if (versions.length === 0) throw new InvalidConfigError('ssl.enabled.protocols', 'no TLS version enabled');
  return { minVersion: versions[0]!, maxVersion: versions[versions.length - 1]! };
}

/** Java (IANA) names of the usual TLS 1.2 suites and OpenSSL's, which Node takes. TLS 1.3 names are the same in both. */
const IANA_TO_OPENSSL: Readonly<Record<string, string>> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_DHE_RSA_WITH_AES_128_GCM_SHA256: 'DHE-RSA-AES128-GCM-SHA256',
  TLS_DHE_RSA_WITH_AES_256_GCM_SHA384: 'DHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384: 'ECDHE-RSA-AES256-SHA384',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
};

/**
 * `ssl.cipher.suites` in Java's names or OpenSSL's: TLS 1.3 suites go to Node's `ciphersuites`
 * equivalent (the TLS_ names at the front of `ciphers`), the others are translated.
 */
export function cipherOptions(suites: readonly string[]): Pick<TlsOptions, 'ciphers'> {
  return { ciphers: suites.map((s) => IANA_TO_OPENSSL[s] ?? s).join(':') };
}
