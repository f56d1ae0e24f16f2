import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ContainerRuntime, isValidImage, runtimeFormat, splitImage } from './container-runtime.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('splitImage', () => {
  it.each([
    ['busybox', 'docker.io', 'library/busybox', 'latest', undefined],
    ['busybox:1.36', 'docker.io', 'library/busybox', '1.36', undefined],
    ['library/busybox:1.36', 'docker.io', 'library/busybox', '1.36', undefined],
    ['org/app:v1', 'docker.io', 'org/app', 'v1', undefined],
    ['docker.io/org/app', 'docker.io', 'org/app', 'latest', undefined],
    ['index.docker.io/busybox', 'docker.io', 'library/busybox', 'latest', undefined],
    ['docker.io/busybox:1.36', 'docker.io', 'library/busybox', '1.36', undefined],
    ['docker.io/library/busybox', 'docker.io', 'library/busybox', 'latest', undefined],
    ['127.0.0.1:5000/kubelet-sim/app:v2', '127.0.0.1:5000', 'kubelet-sim/app', 'v2', undefined],
    ['localhost/app', 'localhost', 'app', 'latest', undefined],
    ['ghcr.io/o/a/b:t', 'ghcr.io', 'o/a/b', 't', undefined],
    [`ghcr.io/o/a@${DIGEST}`, 'ghcr.io', 'o/a', 'latest', DIGEST],
    [`ghcr.io/o/a:t@${DIGEST}`, 'ghcr.io', 'o/a', 't', DIGEST],
  ])('%s', (image, host, path, tag, digest) => {
    expect(splitImage(image)).toEqual({ host, path, repository: `${host}/${path}`, tag, digest });
  });

  it.each(['', 'UPPER/case', 'a:b:c', 'app:', '/app', 'app@sha256:short'])('rejects %j', (image) => {
    expect(isValidImage(image)).toBe(false);
    expect(() => splitImage(image)).toThrow(expect.objectContaining({ code: 'InvalidImageName' }));
  });

  it('keeps host, path and tag of every reference it builds', () => {
    const segment = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    fc.assert(
      fc.property(
        fc.constantFrom('127.0.0.1:5000', 'registry.example.com', 'localhost:8080'),
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/),
        (host, parts, tag) => {
          const path = parts.join('/');
          expect(splitImage(`${host}/${path}:${tag}`)).toMatchObject({ host, path, tag });
        },
      ),
    );
  });
});

describe('runtimeFormat', () => {
  it.each<[ContainerRuntime, RegExp, string, string]>([
    [
      'containerd',
      /^containerd:\/\/[0-9a-f]{64}$/,
      `docker.io/library/busybox@${DIGEST}`,
      'docker.io/library/busybox:1.36',
    ],
    [
      'cri-o',
      /^cri-o:\/\/[0-9a-f]{64}$/,
      `docker.io/library/busybox@${DIGEST}`,
      'docker.io/library/busybox:1.36',
    ],
    [
      'docker',
      /^docker:\/\/[0-9a-f]{64}$/,
      `docker-pullable://docker.io/library/busybox@${DIGEST}`,
      'busybox:1.36',
    ],
  ])('%s', (runtime, containerId, imageId, statusImage) => {
    const f = runtimeFormat(runtime);
    const a = f.newContainerId();
    expect(a).toMatch(containerId);
    expect(f.newContainerId()).not.toBe(a);
    expect(f.imageId('busybox:1.36', DIGEST)).toBe(imageId);
    expect(f.statusImage('busybox:1.36')).toBe(statusImage);
  });

  it('reports a digest-pinned image by its digest', () => {
    expect(runtimeFormat('containerd').statusImage(`ghcr.io/o/a@${DIGEST}`)).toBe(`ghcr.io/o/a@${DIGEST}`);
  });
});
