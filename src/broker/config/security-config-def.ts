import { type ConfigKeyDef, Validators } from '../../common/config-def.js';

/**
 * Kafka's broker security keys (SSL, SASL and the inter-broker choice), with Kafka's defaults. Each
 * `ssl.*` and `sasl.*` key may also be given for one listener as `listener.name.<name>.<key>`, which
 * wins for that listener (BrokerConfig.listenerValue).
 */
export const securityKeys = [
  {
    name: 'security.inter.broker.protocol',
    type: 'string',
    defaultValue: null,
    doc: 'Security protocol between brokers when inter.broker.listener.name is unset (default PLAINTEXT); only one of the two may be set',
  },
  {
    name: 'ssl.keystore.type',
    type: 'string',
    defaultValue: 'JKS',
    doc: 'PEM or PKCS12. A JKS file is refused with how to convert it (keytool -importkeystore -deststoretype PKCS12); a PKCS12 file read as JKS is accepted, as Java does',
    validate: Validators.oneOf('JKS', 'PKCS12', 'PEM'),
  },
  {
    name: 'ssl.keystore.location',
    type: 'string',
    defaultValue: null,
    doc: "The broker's key and certificate chain: a PKCS12 file, or a PEM file holding the private key and the certificates",
  },
  {
    name: 'ssl.keystore.password',
    type: 'password',
    defaultValue: null,
    doc: 'Password of the keystore file (PKCS12)',
    sensitive: true,
  },
  {
    name: 'ssl.key.password',
    type: 'password',
    defaultValue: null,
    doc: 'Password of the private key (an encrypted PEM key)',
    sensitive: true,
  },
  {
    name: 'ssl.keystore.key',
    type: 'password',
    defaultValue: null,
    doc: 'The private key in PEM, inline (KIP-651, with ssl.keystore.type=PEM)',
    sensitive: true,
  },
  {
    name: 'ssl.keystore.certificate.chain',
    type: 'password',
    defaultValue: null,
    doc: 'The certificate chain in PEM, inline (KIP-651, with ssl.keystore.type=PEM)',
    sensitive: true,
  },
  {
    name: 'ssl.truststore.type',
    type: 'string',
    defaultValue: 'JKS',
    doc: 'PEM or PKCS12 (JKS as for ssl.keystore.type)',
    validate: Validators.oneOf('JKS', 'PKCS12', 'PEM'),
  },
  {
    name: 'ssl.truststore.location',
    type: 'string',
    defaultValue: null,
    doc: 'Certificates of the authorities client certificates must be signed by (PEM or PKCS12)',
  },
  {
    name: 'ssl.truststore.password',
    type: 'password',
    defaultValue: null,
    doc: 'Password of the truststore file (PKCS12)',
    sensitive: true,
  },
  {
    name: 'ssl.truststore.certificates',
    type: 'password',
    defaultValue: null,
    doc: 'Trusted certificates in PEM, inline (KIP-651, with ssl.truststore.type=PEM)',
  },
  {
    name: 'ssl.client.auth',
    type: 'string',
    defaultValue: 'none',
    doc: 'Whether clients must present a certificate (required), may (requested), or are not asked (none)',
    validate: Validators.oneOf('required', 'requested', 'none'),
  },
  {
    name: 'ssl.principal.mapping.rules',
    type: 'string',
    defaultValue: 'DEFAULT',
    doc: "Rules mapping a client certificate's distinguished name to a principal name, in Kafka's syntax: RULE:pattern/replacement/[LU], ..., DEFAULT",
  },
  {
    name: 'ssl.enabled.protocols',
    type: 'list',
    defaultValue: ['TLSv1.2', 'TLSv1.3'],
    doc: 'TLS versions accepted',
    validate: Validators.listOf('TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'),
  },
  {
    name: 'ssl.protocol',
    type: 'string',
    defaultValue: 'TLSv1.3',
    doc: 'The TLS protocol of the context (the versions accepted are ssl.enabled.protocols)',
  },
  {
    name: 'ssl.cipher.suites',
    type: 'list',
    defaultValue: [],
    doc: "Cipher suites accepted (Java's or OpenSSL's names; empty: Node's defaults)",
  },
  {
    name: 'ssl.endpoint.identification.algorithm',
    type: 'string',
    defaultValue: 'https',
    doc: 'Host name verification of the server certificate by a client (https), or none (empty)',
  },
  {
    name: 'sasl.enabled.mechanisms',
    type: 'list',
    defaultValue: ['GSSAPI'],
    doc: 'SASL mechanisms a SASL listener accepts: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (GSSAPI and OAUTHBEARER are refused)',
  },
  {
    name: 'sasl.mechanism.inter.broker.protocol',
    type: 'string',
    defaultValue: 'GSSAPI',
    doc: 'SASL mechanism between brokers when the inter-broker listener uses SASL',
  },
  {
    name: 'sasl.server.max.receive.size',
    type: 'int',
    defaultValue: 524288,
    doc: 'Largest SASL token accepted before authentication',
    validate: Validators.atLeast(1),
  },
  {
    name: 'connection.failed.authentication.delay.ms',
    type: 'int',
    defaultValue: 100,
    doc: 'How long a failed authentication waits before its answer and the close, so that guessing is slow',
    validate: Validators.atLeast(0),
  },
  {
    name: 'connections.max.reauth.ms',
    type: 'long',
    defaultValue: 0,
    doc: 'Longest SASL session (KIP-368): told to clients in SaslAuthenticate v1+, which re-authenticate before it ends; a request after it closes the connection. 0 for no limit',
    validate: Validators.atLeast(0),
  },
  {
    name: 'authorizer.class.name',
    type: 'string',
    defaultValue: null,
    doc: "org.apache.kafka.metadata.authorizer.StandardAuthorizer (or Kafka's older kafka.security.authorizer.AclAuthorizer, which means the same here) to authorize every request with the ACLs of the metadata log; empty for no authorization",
    validate: Validators.oneOf(
      '',
      'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'kafka.security.authorizer.AclAuthorizer',
    ),
  },
  {
    name: 'super.users',
    type: 'string',
    defaultValue: null,
    doc: 'Principals allowed everything whatever the ACLs say, separated by semicolons: User:admin;User:CN=broker',
  },
  {
    name: 'allow.everyone.if.no.acl.found',
    type: 'boolean',
    defaultValue: false,
    doc: 'Allow an operation on a resource that has no ACL at all (with an authorizer); by default it is denied',
  },
] as const satisfies readonly ConfigKeyDef[];

/** Keys that may be given per listener with the `listener.name.<name>.` prefix. */
export const LISTENER_OVERRIDABLE = new Set<string>(
  securityKeys
    .map((k) => k.name)
    .filter((n) => n.startsWith('ssl.') || n.startsWith('sasl.') || n === 'connections.max.reauth.ms'),
);
