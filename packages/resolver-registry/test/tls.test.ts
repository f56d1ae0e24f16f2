import { inspect } from 'node:util';
import { hasErrorCode } from '@agentbox/core';
import { type PushedImage, pushImage, startRegistry, type TestRegistry } from '@agentbox/testenv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistryResolver,
  createStaticKeychain,
  type RegistryResolverOptions,
  TlsCertificateError,
} from '../src/index.js';
import { uniqueRepository } from './backends.js';

// Extra CA certificates against a real TLS registry: Distribution 2.8 serving https with a server certificate
// for 127.0.0.1 signed by a test CA that Node does not trust.
describe('a registry serving https with a certificate from a private CA (basic auth)', () => {
  let registry: TestRegistry;
  let ca: string;
  let single: PushedImage;
  let index: PushedImage;
  const opened: { close(): Promise<void> }[] = [];
  const resolverWith = (options: RegistryResolverOptions = {}) => {
    const { username, password } = registry.credentials!;
    const resolver = createRegistryResolver({
      keychain: createStaticKeychain({ [registry.host]: { kind: 'basic', username, password } }),
      proxy: false,
      retryBaseDelayMs: 10,
      ...options,
    });
    opened.push(resolver);
    return resolver;
  };

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'basic', tls: true });
    ca = registry.caCertificate!;
    single = await pushImage(registry, { repository: uniqueRepository('tls'), kind: 'docker-v2' });
    index = await pushImage(registry, { repository: uniqueRepository('tls'), kind: 'oci-index' });
  });
  afterAll(async () => {
    for (const resolver of opened) await resolver.close();
    await registry?.stop();
  });

  it.each([
    ['a PEM string', () => ca],
    ['a Buffer', () => Buffer.from(ca)],
  ])('with caCertificates: [CA as %s] it resolves over https', async (_what, caOf) => {
    expect(registry.url).toBe(`https://${registry.host}`);
    const resolver = resolverWith({ caCertificates: [caOf()] });
    expect(await resolver.resolve(single.reference)).toBe(single.digest);
    expect(await resolver.resolve(index.reference)).toBe(index.digest);
    expect(await resolver.resolveConfigDigest(index.reference)).toBe(index.configDigest);
  });

  it('several extra CAs: the one that signed the registry verifies; another CA alone does not', async () => {
    const other = await startRegistry({ auth: 'none', tls: true });
    try {
      const resolver = resolverWith({ caCertificates: [other.caCertificate!, ca] });
      expect(await resolver.resolve(single.reference)).toBe(single.digest);
      const wrongCa = resolverWith({ caCertificates: [other.caCertificate!] });
      const err = await wrongCa.resolve(single.reference).catch((e: unknown) => e);
      expect(hasErrorCode(err, 'TlsCertificate')).toBe(true);
    } finally {
      await other.stop();
    }
  });

  it('without the CA: TlsCertificate naming the registry, not retried, nothing secret in it', async () => {
    let sleeps = 0;
    const resolver = resolverWith({
      sleep: async () => {
        sleeps++;
      },
    });
    const err = await resolver.resolve(single.reference).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsCertificateError);
    expect(err).toMatchObject({
      code: 'TlsCertificate',
      retryable: false,
      registry: registry.host,
      repository: single.repository,
      verifyCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      status: undefined,
    });
    expect((err as Error).message).toBe(
      `${registry.host}/${single.repository}: TLS certificate not accepted (UNABLE_TO_VERIFY_LEAF_SIGNATURE); if the registry uses a private CA, add it to caCertificates`,
    );
    expect(sleeps).toBe(0);
    const { username, password } = registry.credentials!;
    const secrets = [password, Buffer.from(`${username}:${password}`).toString('base64')];
    for (const text of [
      (err as Error).message,
      String(err),
      JSON.stringify(err),
      inspect(err, { depth: 20, showHidden: true }),
      (err as Error).stack ?? '',
    ]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
    // resolveConfigDigest takes the same path.
    const config = await resolver.resolveConfigDigest(index.reference).catch((e: unknown) => e);
    expect(hasErrorCode(config, 'TlsCertificate')).toBe(true);
  });

  it('a loopback registry listed insecure is spoken to in plain HTTP only: no https attempt', async () => {
    const resolver = resolverWith({ caCertificates: [ca], insecureRegistries: [registry.host] });
    const err = await resolver.resolve(single.reference).catch((e: unknown) => e);
    // Distribution answers plain HTTP on its TLS port with 400 "Client sent an HTTP request to an HTTPS server".
    expect(err).toMatchObject({ code: 'RegistryProtocol', status: 400, registry: registry.host });
  });

  it('an untrusted mirror falls through to the trusted upstream', async () => {
    const other = await startRegistry({ auth: 'none', tls: true });
    try {
      const resolver = resolverWith({
        caCertificates: [ca],
        mirrors: { [registry.host]: [`https://${other.host}`] },
      });
      expect(await resolver.resolve(single.reference)).toBe(single.digest);
    } finally {
      await other.stop();
    }
  });
});
