import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Certificates made for one test run with Debian's openssl, valid for two days and removed by
 * `remove()`: nothing that expires is committed. `dir` holds the files by the names below.
 */
export interface TestCertificates {
  readonly dir: string;
  /** The test CA's certificate (PEM), which signs the server's and alice's certificates. */
  readonly caPem: string;
  readonly caFile: string;
  /** The broker's key and chain in one PEM file (KIP-651 layout) for localhost and 127.0.0.1. */
  readonly serverPemFile: string;
  readonly serverKeyPem: string;
  readonly serverCertPem: string;
  /** The same key and certificate in a PKCS12 keystore, password `serverpw`. */
  readonly serverP12File: string;
  /** The test CA's certificate alone in a PKCS12 truststore, password `trustpw`. */
  readonly caP12File: string;
  /** The broker's key encrypted with `keypw`, and its certificate, in one PEM file. */
  readonly serverEncryptedPemFile: string;
  /** A client certificate for CN=alice,OU=Eng,O=Strom signed by the test CA. */
  readonly aliceKeyPem: string;
  readonly aliceCertPem: string;
  readonly aliceKeyFile: string;
  readonly aliceCertFile: string;
  /** A client certificate (CN=mallory) signed by another CA, which the broker does not trust. */
  readonly malloryKeyPem: string;
  readonly malloryCertPem: string;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function signed(cwd: string, name: string, subject: string, ca: string, ext: string | null): void {
  openssl(
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    ],
    cwd,
  );
  const args = [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
  ];
  if (ext) {
    writeFileSync(join(cwd, `${name}.ext`), ext);
    args.push('-extfile', `${name}.ext`);
  }
  openssl(args, cwd);
}

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'strom-certs-'));
  const ca = (name: string, cn: string) =>
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.pem`,
        '-days',
        '2',
        '-subj',
        `/CN=${cn}`,
      ],
      dir,
    );
  ca('ca', 'Strom Test CA');
  ca('other-ca', 'Other CA');
  signed(dir, 'server', '/CN=localhost', 'ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  signed(dir, 'alice', '/O=Strom/OU=Eng/CN=alice', 'ca', null);
  signed(dir, 'mallory', '/CN=mallory', 'other-ca', null);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  writeFileSync(join(dir, 'server-keystore.pem'), read('server.key') + read('server.pem'));
  openssl(
    [
      'pkcs12',
      '-export',
      '-in',
      'server.pem',
      '-inkey',
      'server.key',
      '-out',
      'server.p12',
      '-passout',
      'pass:serverpw',
    ],
    dir,
  );
  openssl(
    ['pkcs12', '-export', '-nokeys', '-in', 'ca.pem', '-out', 'ca-trust.p12', '-passout', 'pass:trustpw'],
    dir,
  );
  openssl(['pkey', '-in', 'server.key', '-aes256', '-passout', 'pass:keypw', '-out', 'server-enc.key'], dir);
  writeFileSync(join(dir, 'server-encrypted.pem'), read('server-enc.key') + read('server.pem'));
  return {
    dir,
    caPem: read('ca.pem'),
    caFile: join(dir, 'ca.pem'),
    serverPemFile: join(dir, 'server-keystore.pem'),
    serverKeyPem: read('server.key'),
    serverCertPem: read('server.pem'),
    serverP12File: join(dir, 'server.p12'),
    caP12File: join(dir, 'ca-trust.p12'),
    serverEncryptedPemFile: join(dir, 'server-encrypted.pem'),
    aliceKeyPem: read('alice.key'),
    aliceCertPem: read('alice.pem'),
    aliceKeyFile: join(dir, 'alice.key'),
    aliceCertFile: join(dir, 'alice.pem'),
    malloryKeyPem: read('mallory.key'),
    malloryCertPem: read('mallory.pem'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
