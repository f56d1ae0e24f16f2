import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestNamespace,
  kubeConfigFor,
  pullSecretReaderFor,
  pushImage,
  registryFromProvided,
} from '@agentbox/testenv';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKubeClient, type KubeClient } from '../src/kube/kube-client.js';
import { secretsPath } from '../src/kube/kube-paths.js';
import { createControllerMetrics } from '../src/observability/create-controller-metrics.js';
import { createDefaultResolver, type ResolverBackend } from '../src/resolver/create-default-resolver.js';

// The default resolver against the real Basic-auth registry: credentials from a pull secret read through the
// KubeClient (for both backends), or from a docker config file; cache hits and misses reach the metrics.
describe('createDefaultResolver', () => {
  const provided = inject('registries').basic;
  const registry = registryFromProvided(provided);
  let kube: KubeClient;
  let namespace: string;
  let image: Awaited<ReturnType<typeof pushImage>>;

  beforeAll(async () => {
    kube = await createKubeClient(kubeConfigFor(inject('controlPlane')));
    namespace = await createTestNamespace(kubeConfigFor(inject('controlPlane')), 'default-resolver');
    image = await pushImage(registry, { repository: `resolver/${namespace}`, tag: 'v1' });
    const secret = await pullSecretReaderFor(provided, namespace, 'regcred').getSecret(namespace, 'regcred');
    await kube.request({
      method: 'POST',
      path: secretsPath(namespace),
      body: { metadata: { name: 'regcred' }, ...secret },
    });
  });
  afterAll(async () => {
    await kube.close();
  });

  it.each<ResolverBackend>(['registry', 'docker-registry-client'])(
    '%s backend: a pull secret read through the cluster; the second lookup is a cache hit',
    async (backend) => {
      const metrics = createControllerMetrics(undefined, { defaultMetrics: false });
      const resolver = await createDefaultResolver({
        kube,
        backend,
        onCacheEvent: metrics.onResolverCacheEvent,
      });
      try {
        const opts = { namespace, pullSecrets: ['regcred'] };
        expect(await resolver.resolve(image.reference, opts)).toBe(image.digest);
        expect(await resolver.resolve(image.reference, opts)).toBe(image.digest);
        // Without the secret the registry refuses.
        await expect(resolver.resolve(image.reference, { namespace })).rejects.toMatchObject({
          code: expect.stringMatching(/Unauthorized|ManifestUnknown/),
        });
        const text = await metrics.registry.metrics();
        expect(text).toContain('agentbox_resolver_cache_hits_total 1');
        expect(text).toContain('agentbox_resolver_cache_misses_total 2');
        expect(text).not.toContain(provided.password);
      } finally {
        await resolver.close();
      }
    },
  );

  it('uses a docker config file besides the pull secrets', async () => {
    const path = join(tmpdir(), `docker-config-${namespace}.json`);
    writeFileSync(
      path,
      JSON.stringify({
        auths: {
          [provided.host]: {
            auth: Buffer.from(`${provided.username}:${provided.password}`).toString('base64'),
          },
        },
      }),
    );
    const resolver = await createDefaultResolver({ kube, dockerConfigPath: path });
    try {
      expect(await resolver.resolve(image.reference, { namespace })).toBe(image.digest);
    } finally {
      await resolver.close();
    }
  });
});
