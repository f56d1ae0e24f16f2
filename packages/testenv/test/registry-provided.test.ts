import { describe, expect, inject, it } from 'vitest';
import { type ProvidedRegistries, pushImage, registryFromProvided } from '../src/index.js';
import { manifestRequest } from './registry-test-fetch.js';

describe('the registries of the global setup', () => {
  const provided = inject('registries');

  it('are plain JSON, one Distribution registry per auth mode and the crane registry', () => {
    expect(JSON.parse(JSON.stringify(provided))).toEqual(provided);
    expect(Object.keys(provided).sort()).toEqual(['basic', 'crane', 'none', 'token']);
    expect(provided.crane).toEqual({
      auth: 'none',
      host: expect.any(String),
      url: `http://${provided.crane.host}`,
    });
    expect(provided.none).toEqual({
      auth: 'none',
      host: expect.any(String),
      url: `http://${provided.none.host}`,
    });
    expect(provided.basic).toMatchObject({ auth: 'basic', username: expect.any(String) });
    expect(provided.token.realm).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/token$/);
  });

  it.each<keyof ProvidedRegistries>(['none', 'basic', 'token', 'crane'])(
    'take pushes through registryFromProvided (%s)',
    async (mode) => {
      const registry = registryFromProvided(provided[mode]);
      expect(registry.auth).toBe(mode === 'crane' ? 'none' : mode);
      const pushed = await pushImage(registry, { repository: `provided/${mode}`, kind: 'oci-index' });
      const head = await manifestRequest(registry, `provided/${mode}`, 'latest');
      expect(head.status).toBe(200);
      expect(head.headers.get('docker-content-digest')).toBe(pushed.digest);
    },
  );

  it('rejects an unknown auth mode', () => {
    expect(() => registryFromProvided({ auth: 'oauth', host: 'x', url: 'x' } as never)).toThrow(
      expect.objectContaining({ code: 'InvalidProvidedRegistry' }),
    );
  });
});
