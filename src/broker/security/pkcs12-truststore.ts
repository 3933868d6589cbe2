import { createRequire } from 'node:module';
import { InvalidConfigError } from '../../common/config-def.js';

type Forge = typeof import('node-forge');
let forge: Forge | null = null;

/**
 * The trusted certificates of a PKCS12 truststore (a Java truststore made with keytool, or
 * `openssl pkcs12 -export -nokeys`), as PEM. Node's TLS reads PKCS12 only as a private key with
 * its chain, so the certificate bags are read with node-forge; it is loaded on first use, since
 * only brokers and clients configured with such a truststore need it, and only at start.
 */
export function pkcs12TrustedCertificates(
  key: string,
  location: string,
  bytes: Buffer,
  password: string | null,
): string[] {
  forge ??= createRequire(import.meta.url)('node-forge') as Forge;
  let certs: string[];
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')));
    const p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password ?? '');
    const bagType = forge.pki.oids.certBag!;
    const bags = p12.getBags({ bagType })[bagType] ?? [];
    certs = bags.flatMap((bag) => {
      if (bag.cert) return [forge!.pki.certificateToPem(bag.cert)];
      // node-forge decodes only RSA certificates; an EC one comes as its ASN.1, written as PEM here.
      if (bag.asn1) return [derToPem(Buffer.from(forge!.asn1.toDer(bag.asn1).getBytes(), 'binary'))];
      return [];
    });
  } catch (err) {
    throw new InvalidConfigError(
      key,
      `cannot read ${location} as a PKCS12 truststore (wrong ssl.truststore.password, or not PKCS12): ${(err as Error).message}`,
    );
  }
  if (certs.length === 0) throw new InvalidConfigError(key, `${location} holds no trusted certificate`);
  return certs;
}

function derToPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
