import { ContainerNotFoundError, NoContainersError, TargetImageRequiredError } from '@agentbox/core';
import { describe, expect, it } from 'vitest';
import type { SandboxPool } from '../../pool/sandbox-pool.js';
import { claimImages, poolIdleImages } from './claim-images.js';

const pool: SandboxPool = {
  spec: {
    replicas: 1,
    idleImage: 'pause:3.10',
    template: {
      spec: {
        containers: [
          { name: 'main', image: 'app:v1' },
          { name: 'sidecar', image: 'envoy:1.30' },
        ],
      },
    },
  },
};

describe('claimImages', () => {
  it('container 0 gets image, named containers containerImages, the others the template image', () => {
    expect(claimImages(pool, { image: 'app:v2' })).toEqual({ main: 'app:v2', sidecar: 'envoy:1.30' });
    expect(claimImages(pool, { containerImages: { sidecar: 'envoy:1.31' } })).toEqual({
      main: 'app:v1',
      sidecar: 'envoy:1.31',
    });
    expect(claimImages(pool, { image: 'app:v2', containerImages: { main: 'app:v3' } })).toEqual({
      main: 'app:v3',
      sidecar: 'envoy:1.30',
    });
  });

  it('validates: empty image, unknown container, template without containers', () => {
    expect(() => claimImages(pool, { image: '' })).toThrow(TargetImageRequiredError);
    expect(() => claimImages(pool, { containerImages: { sidecar: ' ' } })).toThrow('container "sidecar"');
    expect(() => claimImages(pool, { containerImages: { db: 'pg' } })).toThrow(ContainerNotFoundError);
    expect(() => claimImages({ spec: { replicas: 0 } }, { image: 'x' })).toThrow(NoContainersError);
  });
});

describe('poolIdleImages', () => {
  it('container 0 gets the idle image, the others the template image, unknown ones keep theirs', () => {
    const pod = {
      spec: {
        containers: [
          { name: 'main', image: 'app:v2' },
          { name: 'sidecar', image: 'envoy:1.31' },
          { name: 'extra', image: 'x:1' },
        ],
      },
    };
    expect(poolIdleImages(pool, pod)).toEqual({ main: 'pause:3.10', sidecar: 'envoy:1.30', extra: 'x:1' });
  });

  it('without an idle image container 0 goes back to the template image', () => {
    const noIdle: SandboxPool = { spec: { ...pool.spec!, idleImage: '' } };
    expect(poolIdleImages(noIdle, { spec: { containers: [{ name: 'main', image: 'app:v2' }] } })).toEqual({
      main: 'app:v1',
    });
  });
});
