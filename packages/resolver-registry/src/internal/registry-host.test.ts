import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, normalizeRegistryName, registryEndpoint } from './registry-host.js';

describe('normalizeRegistryName', () => {
  it.each([
    ['docker.io', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['https://index.docker.io/v1/', 'docker.io'],
    ['HTTPS://Index.Docker.IO/v1/', 'docker.io'],
    ['http://reg.example:5000/v2/', 'reg.example:5000'],
    ['reg.example:5000/team/app', 'reg.example:5000'],
    ['Quay.io', 'quay.io'],
  ])('%s → %s', (name, expected) => {
    expect(normalizeRegistryName(name)).toBe(expected);
  });
});

describe('normalizeRegistryName properties', () => {
  const host = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z0-9]{1,8}){0,3}(:[0-9]{1,5})?$/);
  const spelling = fc.tuple(
    fc.constantFrom('', 'http://', 'https://', 'HTTPS://'),
    fc.constantFrom('', '/', '/v1/', '/v2/'),
  );

  it('is idempotent and ignores scheme, case and a trailing API path', () => {
    fc.assert(
      fc.property(host, spelling, (h, [scheme, path]) => {
        const normal = normalizeRegistryName(h);
        expect(normalizeRegistryName(normal)).toBe(normal);
        expect(normalizeRegistryName(`${scheme}${h.toUpperCase()}${path}`)).toBe(normal);
      }),
    );
  });

  it('maps every spelling of every Hub alias to docker.io', () => {
    const alias = fc.constantFrom('docker.io', 'index.docker.io', 'registry-1.docker.io');
    fc.assert(
      fc.property(
        alias,
        spelling,
        (a, [scheme, path]) => normalizeRegistryName(`${scheme}${a}${path}`) === 'docker.io',
      ),
    );
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['localhost:5000', true],
    ['127.0.0.1:5000', true],
    ['127.1.2.3', true],
    ['[::1]:5000', true],
    ['reg.localhost', true],
    ['10.0.0.1:5000', false],
    ['reg.example', false],
    ['128.0.0.1', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('registryEndpoint', () => {
  const none = new Set<string>();
  it.each([
    ['docker.io', none, 'https://registry-1.docker.io', 'docker.io', false, false],
    ['index.docker.io', none, 'https://registry-1.docker.io', 'docker.io', false, false],
    ['reg.example:5000', none, 'https://reg.example:5000', 'reg.example:5000', false, false],
    [
      'reg.example:5000',
      new Set(['reg.example:5000']),
      'http://reg.example:5000',
      'reg.example:5000',
      true,
      false,
    ],
    ['127.0.0.1:5000', none, 'http://127.0.0.1:5000', '127.0.0.1:5000', true, true],
    ['localhost:5000', none, 'http://localhost:5000', 'localhost:5000', true, true],
    ['127.0.0.1:5000', new Set(['127.0.0.1:5000']), 'http://127.0.0.1:5000', '127.0.0.1:5000', true, false],
    ['http://127.0.0.1:5000', none, 'http://127.0.0.1:5000', '127.0.0.1:5000', true, false],
    ['https://127.0.0.1:5000', none, 'https://127.0.0.1:5000', '127.0.0.1:5000', true, false],
    ['https://mirror.example/prefix/', none, 'https://mirror.example/prefix', 'mirror.example', false, false],
  ])('%s → %s', (name, insecure, baseUrl, registry, plain, httpsFirst) => {
    const endpoint = registryEndpoint(name, insecure);
    expect(endpoint).toMatchObject({ baseUrl, registry, plainHttpAllowed: plain, httpsFirst });
  });

  it('refuses an explicit http:// for a registry that is neither insecure nor loopback', () => {
    expect(() => registryEndpoint('http://reg.example', new Set())).toThrow(
      expect.objectContaining({ code: 'PlainHttpNotAllowed' }),
    );
  });
});
