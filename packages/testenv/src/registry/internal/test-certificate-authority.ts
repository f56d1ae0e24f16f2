import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './run-command.js';

/** A throw-away CA and a serving certificate for 127.0.0.1 it signed, as files in a folder. */
export interface ServingCertificate {
  /** PEM certificate of the test CA: what clients must trust. */
  readonly caPem: string;
  /** Path of the server certificate (PEM), for the registry's `http.tls.certificate`. */
  readonly certPath: string;
  /** Path of the server's private key (PEM), for `http.tls.key`. */
  readonly keyPath: string;
}

// EC P-256: the fastest key openssl makes, and Distribution (Go crypto/tls) serves it.
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * Makes, with the openssl CLI, a test CA and a server certificate signed by it for `IP:127.0.0.1` and
 * `DNS:localhost`, written into `dir` (node:crypto makes keys but not X.509 certificates). A real CA chain
 * rather than a self-signed server certificate, so clients are tested the way they are deployed: by
 * trusting a CA, not a leaf.
 */
export async function createServingCertificate(dir: string): Promise<ServingCertificate> {
  const caKey = join(dir, 'tls-ca.key');
  const caCert = join(dir, 'tls-ca.pem');
  const keyPath = join(dir, 'tls-server.key');
  const csrPath = join(dir, 'tls-server.csr');
  const certPath = join(dir, 'tls-server.pem');
  const extPath = join(dir, 'tls-server.ext');
  await runCommand('openssl', [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    caKey,
    '-out',
    caCert,
    '-days',
    '7',
    '-subj',
    '/CN=agentbox testenv registry CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await runCommand('openssl', [
    'req',
    '-new',
    ...EC_KEY,
    '-keyout',
    keyPath,
    '-out',
    csrPath,
    '-subj',
    '/CN=127.0.0.1',
  ]);
  await writeFile(
    extPath,
    [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  await runCommand('openssl', [
    'x509',
    '-req',
    '-in',
    csrPath,
    '-CA',
    caCert,
    '-CAkey',
    caKey,
    '-set_serial',
    `0x${randomBytes(16).toString('hex')}`,
    '-days',
    '7',
    '-extfile',
    extPath,
    '-out',
    certPath,
  ]);
  return { caPem: await readFile(caCert, 'utf8'), certPath, keyPath };
}
