import { createHash } from 'node:crypto';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistryResolver } from './create-registry-resolver.js';
import { createStaticKeychain } from './keychain/static-keychain.js';
import { MEDIA_TYPES } from './manifest-media-types.js';
import type { RegistryResolverEvent } from './registry-resolver-options.js';

// Defects a real registry rarely shows on purpose (slow token servers, lying manifests, broken mirrors), on
// undici's MockAgent; each test failed before its fix.

const REG = 'https://reg.example';
const sha = (body: string, algorithm = 'sha256') =>
  `${algorithm}:${createHash(algorithm).update(body).digest('hex')}`;
const basic = createStaticKeychain({ 'reg.example': { kind: 'basic', username: 'u', password: 'p' } });

let agents: MockAgent[] = [];
function mockAgent(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agents.push(agent);
  return agent;
}
afterEach(async () => {
  await Promise.all(agents.map((a) => a.close()));
  agents = [];
});

describe('a shared bearer-token fetch', () => {
  it('survives the abort of the caller that started it: the other callers get their digest', async () => {
    const agent = mockAgent();
    const digest = sha('b');
    const challenge = {
      'www-authenticate': 'Bearer realm="https://auth.example/token",service="reg.example"',
    };
    const reg = agent.get(REG);
    reg.intercept({ path: '/v2/app/manifests/a', method: 'HEAD' }).reply(401, '', { headers: challenge });
    reg.intercept({ path: '/v2/app/manifests/b', method: 'HEAD' }).reply(401, '', { headers: challenge });
    agent
      .get('https://auth.example')
      .intercept({ path: (p) => p.startsWith('/token'), method: 'GET' })
      .reply(200, JSON.stringify({ token: 'tok', expires_in: 300 }))
      .delay(150);
    reg
      .intercept({ path: '/v2/app/manifests/b', method: 'HEAD', headers: { authorization: 'Bearer tok' } })
      .reply(200, '', { headers: { 'docker-content-digest': digest } });
    const resolver = createRegistryResolver({ dispatcher: agent, keychain: basic, retries: 0 });
    const controller = new AbortController();
    const first = resolver
      .resolve('reg.example/app:a', { signal: controller.signal })
      .catch((e: unknown) => e);
    const second = resolver.resolve('reg.example/app:b');
    setTimeout(() => controller.abort(new Error('caller A gave up')), 50);
    expect(((await first) as Error).message).toBe('caller A gave up');
    expect(await second).toBe(digest);
  });
});

describe('descriptor digests', () => {
  const index = (childDigest: string) =>
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: [
        {
          mediaType: MEDIA_TYPES.ociManifest,
          digest: childDigest,
          platform: { os: 'linux', architecture: 'amd64' },
        },
      ],
    });

  it.each([
    ['a path', '../../blobs/sha256:x'],
    ['an empty string', ''],
    ['an unknown algorithm', `md5:${'a'.repeat(32)}`],
    ['upper-case hex', `sha256:${'A'.repeat(64)}`],
    ['a short sha256', 'sha256:abc'],
  ])(
    'an index child digest that is %s is RegistryProtocol, and nothing is fetched with it',
    async (_n, bad) => {
      const agent = mockAgent();
      const body = index(bad);
      agent
        .get(REG)
        .intercept({ path: '/v2/app/manifests/v1', method: 'GET' })
        .reply(200, body, { headers: { 'content-type': MEDIA_TYPES.ociIndex } });
      const resolver = createRegistryResolver({ dispatcher: agent });
      await expect(resolver.resolveConfigDigest('reg.example/app:v1')).rejects.toMatchObject({
        code: 'RegistryProtocol',
      });
      agent.assertNoPendingInterceptors();
    },
  );

  it('a config digest that is empty is RegistryProtocol, never a digest to compare', async () => {
    const agent = mockAgent();
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { digest: '' },
    });
    agent.get(REG).intercept({ path: '/v2/app/manifests/v1', method: 'GET' }).reply(200, body);
    const resolver = createRegistryResolver({ dispatcher: agent });
    await expect(resolver.resolveConfigDigest('reg.example/app:v1')).rejects.toMatchObject({
      code: 'RegistryProtocol',
    });
  });

  it.each(['sha384', 'sha512'])(
    'a child fetched by a %s digest is verified with that algorithm',
    async (alg) => {
      const agent = mockAgent();
      const child = JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { digest: sha('config') },
      });
      const childDigest = sha(child, alg);
      const reg = agent.get(REG);
      reg.intercept({ path: '/v2/app/manifests/v1', method: 'GET' }).reply(200, index(childDigest));
      reg.intercept({ path: `/v2/app/manifests/${childDigest}`, method: 'GET' }).reply(200, `${child} `);
      const resolver = createRegistryResolver({ dispatcher: agent });
      await expect(resolver.resolveConfigDigest('reg.example/app:v1')).rejects.toMatchObject({
        code: 'DigestMismatch',
      });
      reg.intercept({ path: '/v2/app/manifests/v1', method: 'GET' }).reply(200, index(childDigest));
      reg.intercept({ path: `/v2/app/manifests/${childDigest}`, method: 'GET' }).reply(200, child);
      expect(await resolver.resolveConfigDigest('reg.example/app:v1')).toBe(sha('config'));
    },
  );
});

describe('token server errors', () => {
  const challenge = { 'www-authenticate': 'Bearer realm="https://auth.example/token",service="reg.example"' };

  it.each([
    [404, 'TokenServer'],
    [500, 'TokenServer'],
    [401, 'Unauthorized'],
  ])('a realm answering %i is %s, not a registry answer', async (status, code) => {
    const agent = mockAgent();
    agent
      .get(REG)
      .intercept({ path: '/v2/app/manifests/v1', method: 'HEAD' })
      .reply(401, '', { headers: challenge });
    agent
      .get('https://auth.example')
      .intercept({ path: (p) => p.startsWith('/token'), method: 'GET' })
      .reply(status, '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    const resolver = createRegistryResolver({ dispatcher: agent, keychain: basic, retries: 0 });
    await expect(resolver.resolve('reg.example/app:v1')).rejects.toMatchObject({ code, status });
  });

  it('a token answer above 1 MiB is TokenServer, not ManifestTooLarge', async () => {
    const agent = mockAgent();
    agent
      .get(REG)
      .intercept({ path: '/v2/app/manifests/v1', method: 'HEAD' })
      .reply(401, '', { headers: challenge });
    agent
      .get('https://auth.example')
      .intercept({ path: (p) => p.startsWith('/token'), method: 'GET' })
      .reply(200, JSON.stringify({ token: 'x'.repeat(1024 * 1024 + 10) }));
    const resolver = createRegistryResolver({ dispatcher: agent, keychain: basic, retries: 0 });
    await expect(resolver.resolve('reg.example/app:v1')).rejects.toMatchObject({ code: 'TokenServer' });
  });
});

describe('mirror failures', () => {
  it('are told to onEvent, and kept as the cause (an AggregateError) when the upstream fails too', async () => {
    const agent = mockAgent();
    agent
      .get('https://m1.example')
      .intercept({ path: '/v2/app/manifests/v1', method: 'HEAD' })
      .reply(503, '');
    agent
      .get('https://m2.example')
      .intercept({ path: '/v2/app/manifests/v1', method: 'HEAD' })
      .reply(403, '');
    agent.get(REG).intercept({ path: '/v2/app/manifests/v1', method: 'HEAD' }).reply(404, '');
    const events: RegistryResolverEvent[] = [];
    const resolver = createRegistryResolver({
      dispatcher: agent,
      retries: 0,
      mirrors: { 'reg.example': ['https://m1.example', 'https://m2.example'] },
      onEvent: (event) => events.push(event),
    });
    const err = (await resolver.resolve('reg.example/app:v1').catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: 'ManifestUnknown', registry: 'reg.example', status: 404 });
    expect(err.cause).toBeInstanceOf(AggregateError);
    expect((err.cause as AggregateError).errors.map((e: { code: string }) => e.code)).toEqual([
      'RegistryUnavailable',
      'Denied',
    ]);
    expect(events.map((e) => [e.type, e.mirror, (e.error as { code: string }).code])).toEqual([
      ['mirrorFailed', 'm1.example', 'RegistryUnavailable'],
      ['mirrorFailed', 'm2.example', 'Denied'],
    ]);
  });

  it('a failing mirror followed by a working upstream still tells onEvent', async () => {
    const agent = mockAgent();
    const digest = sha('u');
    agent
      .get('https://m1.example')
      .intercept({ path: '/v2/app/manifests/v1', method: 'HEAD' })
      .reply(500, '');
    agent
      .get(REG)
      .intercept({ path: '/v2/app/manifests/v1', method: 'HEAD' })
      .reply(200, '', { headers: { 'docker-content-digest': digest } });
    const events: RegistryResolverEvent[] = [];
    const resolver = createRegistryResolver({
      dispatcher: agent,
      retries: 0,
      mirrors: { 'reg.example': ['https://m1.example'] },
      onEvent: (event) => events.push(event),
    });
    expect(await resolver.resolve('reg.example/app:v1')).toBe(digest);
    expect(events).toHaveLength(1);
  });
});
