import { hasErrorCode } from '@agentbox/core';
import { type ImageKind, pushImage, registryFromProvided, startFaultProxy } from '@agentbox/testenv';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BACKENDS, keychainFor, type ResolverUnderTest, uniqueRepository } from './backends.js';

const registries = inject('registries');
// Distribution in each auth mode, and go-containerregistry's registry (`crane registry serve`).
const REGISTRIES = ['none', 'basic', 'token', 'crane'] as const;
const LABELS = {
  none: 'Distribution, auth none',
  basic: 'Distribution, auth basic',
  token: 'Distribution, auth token',
  crane: 'crane registry (go-containerregistry), auth none',
} as const;
const KINDS: readonly ImageKind[] = ['docker-v2', 'oci', 'oci-index', 'docker-list'];

// SCENARIOS "resolvers": every manifest kind resolves in every auth mode and on both registry
// implementations, with both backends.
describe.each(BACKENDS)('$name backend against the real registries', (backend) => {
  describe.each(REGISTRIES.map((key) => ({ key, label: LABELS[key] })))('$label', ({ key }) => {
    const provided = registries[key];
    const handle = registryFromProvided(provided);
    let under: ResolverUnderTest;
    beforeAll(() => {
      under = backend.create({ keychain: keychainFor(provided) });
    });
    afterAll(() => under.close());

    it.each(KINDS)('%s: the tag resolves to the pushed digest and config digest', async (kind) => {
      const image = await pushImage(handle, { repository: uniqueRepository('kinds'), tag: 'v1', kind });
      expect(await under.resolver.resolve(image.reference)).toBe(image.digest);
      expect(await under.resolver.resolveConfigDigest(image.reference)).toBe(image.configDigest);
    });

    it('a multi-arch tag resolves to the index digest; its config digest is the linux/amd64 child config', async () => {
      const image = await pushImage(handle, { repository: uniqueRepository('multi'), kind: 'oci-index' });
      const amd64 = image.children?.find((c) => c.platform.architecture === 'amd64');
      expect(await under.resolver.resolve(image.reference)).toBe(image.digest);
      expect(image.children?.map((c) => c.digest)).not.toContain(image.digest);
      expect(await under.resolver.resolveConfigDigest(image.reference)).toBe(amd64?.configDigest);
    });

    it('a missing tag is a ManifestUnknown error naming the registry, repository and tag', async () => {
      const repository = uniqueRepository('missing');
      await pushImage(handle, { repository, tag: 'present' });
      const err = await under.resolver
        .resolve(`${provided.host}/${repository}:absent`)
        .catch((e: unknown) => e);
      expect(hasErrorCode(err, 'ManifestUnknown')).toBe(true);
      expect(err).toMatchObject({ registry: provided.host, repository, status: 404 });
      expect(
        (err as Error).message.startsWith(`${provided.host}/${repository}:absent: manifest unknown`),
      ).toBe(true);
      if (backend.name === 'undici') {
        expect((err as Error).message).toBe(
          `${provided.host}/${repository}:absent: manifest unknown (HTTP 404)`,
        );
      }
    });

    it('config digest by manifest digest fetches and verifies that manifest', async () => {
      const image = await pushImage(handle, { repository: uniqueRepository('bydigest'), kind: 'oci' });
      const byDigest = `${provided.host}/${image.repository}@${image.digest}`;
      expect(await under.resolver.resolveConfigDigest(byDigest)).toBe(image.configDigest);
    });
  });

  it('references that carry a digest resolve without any request', async () => {
    const proxy = await startFaultProxy(registries.none.url);
    const under = backend.create({});
    try {
      const digest = `sha256:${'ab'.repeat(32)}`;
      expect(await under.resolver.resolve(`${proxy.host}/registry/project/app@${digest}`)).toBe(digest);
      expect(await under.resolver.resolve(`${proxy.host}/project/app:v1@${digest}`)).toBe(digest);
      expect(await under.resolver.resolve(digest)).toBe(digest);
      expect(proxy.requestCount()).toBe(0);
    } finally {
      await under.close();
      await proxy.stop();
    }
  });

  it.each([
    [`docker-pullable://registry/project/app@sha256:${'c'.repeat(64)}`, `sha256:${'c'.repeat(64)}`],
    [`docker://sha256:${'d'.repeat(64)}`, `sha256:${'d'.repeat(64)}`],
    [`registry/project/app@sha256:${'e'.repeat(64)}`, `sha256:${'e'.repeat(64)}`],
    [`sha256:${'f'.repeat(64)}`, `sha256:${'f'.repeat(64)}`],
  ])('digestFromStatus(%s) is the digest', (imageID, digest) => {
    const under = backend.create({});
    expect(under.resolver.digestFromStatus('registry/project/app:v1', imageID)).toBe(digest);
  });

  it.each(['sha256:old', 'registry/project/app:v1', ''])(
    'digestFromStatus(%j) is an error naming the input',
    (imageID) => {
      const under = backend.create({});
      let caught: unknown;
      try {
        under.resolver.digestFromStatus('registry/project/app:v1', imageID);
      } catch (err) {
        caught = err;
      }
      expect(hasErrorCode(caught, 'InvalidReference')).toBe(true);
      expect((caught as Error).message).toContain(JSON.stringify(imageID));
    },
  );
});
