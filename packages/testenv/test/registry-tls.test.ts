import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushImage, type RegistryAuth, startRegistry, type TestRegistry } from '../src/index.js';
import { ACCEPT_ALL, pullAuthorization } from './registry-test-fetch.js';

/** The certificate chain the registry presents, read with an untrusting TLS handshake. */
async function presentedCertificate(port: number): Promise<X509Certificate> {
  return await new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      if (cert === undefined) reject(new Error('no peer certificate'));
      else resolve(cert);
    });
    socket.once('error', reject);
  });
}

describe.each<RegistryAuth>(['none', 'basic', 'token'])('startRegistry({ auth: %s, tls: true })', (auth) => {
  let registry: TestRegistry;
  let trusting: Agent;
  beforeAll(async () => {
    registry = await startRegistry({ auth, tls: true });
    trusting = new Agent({ connect: { ca: registry.caCertificate } });
  });
  afterAll(async () => {
    await trusting?.close();
    await registry?.stop();
  });

  it('serves https with a certificate for IP 127.0.0.1 signed by the test CA it exposes', async () => {
    expect(registry.url).toBe(`https://${registry.host}`);
    expect(registry.caCertificate).toMatch(
      /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/,
    );
    const ca = new X509Certificate(registry.caCertificate!);
    expect(ca.ca).toBe(true);
    const served = await presentedCertificate(Number(registry.host.split(':')[1]));
    expect(served.ca).toBe(false);
    expect(served.checkIssued(ca)).toBe(true);
    expect(served.verify(ca.publicKey)).toBe(true);
    expect(served.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('pushes an image over https; a client trusting the CA HEADs it to the pushed digest', async () => {
    const pushed = await pushImage(registry, { repository: `tls/${auth}-app`, kind: 'oci-index' });
    const authorization = await pullAuthorization(registry, pushed.repository);
    const res = await request(`${registry.url}/v2/${pushed.repository}/manifests/${pushed.tag}`, {
      dispatcher: trusting,
      method: 'HEAD',
      headers: { accept: ACCEPT_ALL, ...(authorization !== undefined ? { authorization } : {}) },
    });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    expect(res.headers['docker-content-digest']).toBe(pushed.digest);
  });

  it('a client that does not trust the CA fails the handshake', async () => {
    const untrusting = new Agent();
    try {
      const err = await request(`${registry.url}/v2/`, { dispatcher: untrusting }).catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    } finally {
      await untrusting.close();
    }
  });

  it('plain http to the https port is refused', async () => {
    const res = await fetch(`http://${registry.host}/v2/`);
    await res.arrayBuffer();
    expect(res.status).toBe(400);
  });
});
