import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './run-command.js';

/** An RSA key and its self-signed certificate, used to sign registry tokens. */
export interface SigningKey {
  /** PKCS#8 PEM private key. */
  readonly keyPem: string;
  /** PEM certificate: the registry's `auth.token.rootcertbundle`. */
  readonly certPem: string;
  /** Base64 DER of the certificate, for the JWT header `x5c`. */
  readonly certDerBase64: string;
}

/**
 * Makes a fresh RSA-2048 key with a self-signed CA certificate through the openssl CLI,
 * because node:crypto can make keys but not X.509 certificates.
 */
export async function createSigningKey(commonName: string): Promise<SigningKey> {
  const dir = await mkdtemp(join(tmpdir(), 'agentbox-token-key-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    await runCommand('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '7',
      '-subj',
      `/CN=${commonName}`,
    ]);
    const keyPem = await readFile(keyPath, 'utf8');
    const certPem = await readFile(certPath, 'utf8');
    const certDerBase64 = new X509Certificate(certPem).raw.toString('base64');
    return { keyPem, certPem, certDerBase64 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
