import { describe, expect, inject, it } from 'vitest';
import { deleteImage, pushImage, type RegistryHandle, registryFromProvided, retag } from '../src/index.js';
import { manifestRequest } from './registry-test-fetch.js';

const headDigest = async (registry: RegistryHandle, repository: string, reference: string) => {
  const res = await manifestRequest(registry, repository, reference);
  return res.status === 200 ? res.headers.get('docker-content-digest') : res.status;
};

describe.each(['none', 'token'] as const)('image content and tags (%s registry)', (mode) => {
  const registry = registryFromProvided(inject('registries')[mode]);

  it('gives a new digest to every push without a seed, and re-pushing a tag moves it', async () => {
    const repository = `content/${mode}/repush`;
    const first = await pushImage(registry, { repository });
    expect(await headDigest(registry, repository, 'latest')).toBe(first.digest);
    const second = await pushImage(registry, { repository });
    expect(second.digest).not.toBe(first.digest);
    expect(second.configDigest).not.toBe(first.configDigest);
    expect(await headDigest(registry, repository, 'latest')).toBe(second.digest);
    // The old manifest is still there by digest.
    expect(await headDigest(registry, repository, first.digest)).toBe(first.digest);
  });

  it.each(['docker-v2', 'oci', 'oci-index', 'docker-list'] as const)(
    'is reproducible from a seed (%s)',
    async (kind) => {
      const repository = `content/${mode}/seeded`;
      const a = await pushImage(registry, { repository, tag: `${kind}-a`, kind, seed: 's1' });
      const b = await pushImage(registry, { repository, tag: `${kind}-b`, kind, seed: 's1' });
      const c = await pushImage(registry, { repository, tag: `${kind}-c`, kind, seed: 's2' });
      expect(b.digest).toBe(a.digest);
      expect(b.manifest.equals(a.manifest)).toBe(true);
      expect(c.digest).not.toBe(a.digest);
      expect(c.configDigest).not.toBe(a.configDigest);
    },
  );

  it.each([
    { name: 'another gzip level', kind: 'docker-v2' as const, change: { gzipLevel: 1 } },
    { name: 'OCI annotations', kind: 'oci' as const, change: { annotations: { 'org.example/rev': '2' } } },
  ])('keeps the config but changes the manifest digest with $name', async ({ kind, change }) => {
    const repository = `content/${mode}/same-config`;
    const a = await pushImage(registry, { repository, tag: 'a', kind, content: 'same bytes' });
    const b = await pushImage(registry, { repository, tag: 'b', kind, content: 'same bytes', ...change });
    expect(b.configDigest).toBe(a.configDigest);
    expect(b.digest).not.toBe(a.digest);
  });

  it('retags by re-putting the exact manifest bytes', async () => {
    const repository = `content/${mode}/retag`;
    const image = await pushImage(registry, { repository, tag: 'v1', kind: 'oci-index' });
    expect(await retag(registry, repository, 'v1', 'stable')).toBe(image.digest);
    expect(await headDigest(registry, repository, 'stable')).toBe(image.digest);
    expect(await retag(registry, repository, image.digest, 'pinned')).toBe(image.digest);
    expect(await headDigest(registry, repository, 'pinned')).toBe(image.digest);
  });

  it('deletes an image by tag (every tag on that manifest goes with it)', async () => {
    const repository = `content/${mode}/delete`;
    const image = await pushImage(registry, { repository, tag: 'doomed' });
    await retag(registry, repository, 'doomed', 'alias');
    const other = await pushImage(registry, { repository, tag: 'kept' });
    expect(await deleteImage(registry, repository, 'doomed')).toBe(image.digest);
    expect(await headDigest(registry, repository, 'doomed')).toBe(404);
    expect(await headDigest(registry, repository, 'alias')).toBe(404);
    expect(await headDigest(registry, repository, image.digest)).toBe(404);
    expect(await headDigest(registry, repository, 'kept')).toBe(other.digest);
  });

  it('reports a missing manifest as a RegistryHttpError with its status', async () => {
    await expect(retag(registry, `content/${mode}/nothing`, 'missing', 'x')).rejects.toMatchObject({
      name: 'RegistryHarnessError',
      code: 'RegistryHttpError',
      status: 404,
    });
  });
});
