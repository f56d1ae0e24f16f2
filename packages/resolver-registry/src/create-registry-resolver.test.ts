import { createHash } from 'node:crypto';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistryResolver } from './create-registry-resolver.js';
import { createStaticKeychain } from './keychain/static-keychain.js';
import { MANIFEST_ACCEPT, MEDIA_TYPES } from './manifest-media-types.js';

// Edge cases a real Distribution registry never produces (blob redirects, odd headers, other platforms),
// on undici's MockAgent. The protocol itself is tested against the real registry in test/.

const REG = 'https://reg.example';
const sha = (body: string) => `sha256:${createHash('sha256').update(body).digest('hex')}`;
const basic = createStaticKeychain({ 'reg.example': { kind: 'basic', username: 'u', password: 'p' } });
const AUTH = `Basic ${Buffer.from('u:p').toString('base64')}`;

let agents: MockAgent[] = [];
function mockAgent(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agents.push(agent);
  return agent;
}
afterEach(async () => {
  for (const agent of agents) agent.assertNoPendingInterceptors();
  await Promise.all(agents.map((a) => a.close()));
  agents = [];
});

describe('createRegistryResolver edge cases (MockAgent)', () => {
  it('an invalid reference is InvalidReference without any request', async () => {
    const resolver = createRegistryResolver({ dispatcher: mockAgent() });
    await expect(resolver.resolve('UPPER/Case:tag')).rejects.toMatchObject({ code: 'InvalidReference' });
    await expect(resolver.resolve('')).rejects.toMatchObject({ code: 'InvalidReference' });
  });

  it('sends the SPEC 3 Accept set and the user agent on HEAD', async () => {
    const agent = mockAgent();
    const digest = sha('x');
    agent
      .get(REG)
      .intercept({
        path: '/v2/library/app/manifests/v1',
        method: 'HEAD',
        headers: { accept: MANIFEST_ACCEPT, 'user-agent': 'test-agent/1' },
      })
      .reply(200, '', { headers: { 'docker-content-digest': digest } });
    const resolver = createRegistryResolver({ dispatcher: agent, userAgent: 'test-agent/1' });
    expect(await resolver.resolve('reg.example/library/app:v1')).toBe(digest);
    expect(MANIFEST_ACCEPT.split(', ')).toEqual([
      MEDIA_TYPES.dockerManifest,
      MEDIA_TYPES.dockerManifestList,
      MEDIA_TYPES.ociManifest,
      MEDIA_TYPES.ociIndex,
    ]);
  });

  it('drops Authorization when a redirect leaves the registry origin, keeps it on the same origin', async () => {
    const agent = mockAgent();
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { digest: sha('c') },
    });
    const reg = agent.get(REG);
    reg.intercept({ path: '/v2/app/manifests/v1', method: 'HEAD' }).reply(401, '', {
      headers: { 'www-authenticate': 'Basic realm="r"' },
    });
    // A HEAD without a digest header (some registries) → GET fallback.
    reg
      .intercept({ path: '/v2/app/manifests/v1', method: 'HEAD', headers: { authorization: AUTH } })
      .reply(200, '');
    // Twice: the first answer (to the pool as is) hands the request to undici's redirect interceptor, which
    // sends it again and follows every hop by its rules.
    reg
      .intercept({ path: '/v2/app/manifests/v1', method: 'GET', headers: { authorization: AUTH } })
      .reply(307, '', { headers: { location: '/v2/app/moved/v1' } })
      .times(2);
    reg
      .intercept({ path: '/v2/app/moved/v1', method: 'GET', headers: { authorization: AUTH } })
      .reply(302, '', { headers: { location: 'https://blob.example/storage/abc?sig=1' } });
    agent
      .get('https://blob.example')
      .intercept({ path: '/storage/abc?sig=1', method: 'GET', headers: (h) => !('authorization' in h) })
      .reply(200, body);
    const resolver = createRegistryResolver({ dispatcher: agent, keychain: basic });
    expect(await resolver.resolve('reg.example/app:v1')).toBe(sha(body));
  });

  it('a Content-Length above the bound is ManifestTooLarge before the body is read', async () => {
    const agent = mockAgent();
    agent
      .get(REG)
      .intercept({ path: '/v2/app/manifests/v1', method: 'GET' })
      .reply(200, 'x'.repeat(100), { headers: { 'content-length': '100' } });
    const resolver = createRegistryResolver({ dispatcher: agent, maxManifestBytes: 99 });
    await expect(resolver.resolveConfigDigest('reg.example/app:v1')).rejects.toMatchObject({
      code: 'ManifestTooLarge',
      registry: 'reg.example',
      repository: 'app',
      status: 200,
    });
  });

  it('a 401 without a usable challenge is Unauthorized', async () => {
    const agent = mockAgent();
    agent
      .get(REG)
      .intercept({ path: '/v2/app/manifests/v1', method: 'HEAD' })
      .reply(401, '', { headers: { 'www-authenticate': 'Negotiate' } });
    const resolver = createRegistryResolver({ dispatcher: agent, keychain: basic });
    await expect(resolver.resolve('reg.example/app:v1')).rejects.toMatchObject({
      code: 'Unauthorized',
      status: 401,
    });
  });

  it('an identity token is exchanged at the realm with the OAuth2 refresh-token POST', async () => {
    const agent = mockAgent();
    const digest = sha('y');
    const challenge = {
      'www-authenticate': 'Bearer realm="https://auth.example/token",service="reg.example"',
    };
    agent
      .get(REG)
      .intercept({ path: '/v2/app/manifests/v1', method: 'HEAD' })
      .reply(401, '', { headers: challenge });
    agent
      .get('https://auth.example')
      .intercept({
        path: '/token',
        method: 'POST',
        body: (b) => {
          const form = new URLSearchParams(b);
          return (
            form.get('grant_type') === 'refresh_token' &&
            form.get('refresh_token') === 'refresh-me' &&
            form.get('scope') === 'repository:app:pull' &&
            form.get('service') === 'reg.example'
          );
        },
      })
      .reply(200, JSON.stringify({ access_token: 'oauth-token', expires_in: 300 }));
    agent
      .get(REG)
      .intercept({
        path: '/v2/app/manifests/v1',
        method: 'HEAD',
        headers: { authorization: 'Bearer oauth-token' },
      })
      .reply(200, '', { headers: { 'docker-content-digest': digest } });
    const keychain = createStaticKeychain({ 'reg.example': { kind: 'identityToken', token: 'refresh-me' } });
    const resolver = createRegistryResolver({ dispatcher: agent, keychain });
    expect(await resolver.resolve('reg.example/app:v1')).toBe(digest);
  });

  it('a registry token is sent as the bearer token without asking the realm', async () => {
    const agent = mockAgent();
    const digest = sha('z');
    const challenge = { 'www-authenticate': 'Bearer realm="https://auth.example/token"' };
    agent
      .get(REG)
      .intercept({ path: '/v2/app/manifests/v1', method: 'HEAD' })
      .reply(401, '', { headers: challenge });
    agent
      .get(REG)
      .intercept({
        path: '/v2/app/manifests/v1',
        method: 'HEAD',
        headers: { authorization: 'Bearer static-tok' },
      })
      .reply(200, '', { headers: { 'docker-content-digest': digest } });
    const keychain = createStaticKeychain({ 'reg.example': { kind: 'registryToken', token: 'static-tok' } });
    expect(await createRegistryResolver({ dispatcher: agent, keychain }).resolve('reg.example/app:v1')).toBe(
      digest,
    );
  });

  it('waits the Retry-After of a 429 (HTTP-date form) through the injected sleep', async () => {
    const agent = mockAgent();
    const digest = sha('w');
    const now = Date.parse('2026-01-01T00:00:00Z');
    agent
      .get(REG)
      .intercept({ path: '/v2/app/manifests/v1', method: 'HEAD' })
      .reply(429, '', { headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' } });
    agent
      .get(REG)
      .intercept({ path: '/v2/app/manifests/v1', method: 'HEAD' })
      .reply(200, '', { headers: { 'docker-content-digest': digest } });
    const sleeps: number[] = [];
    const resolver = createRegistryResolver({
      dispatcher: agent,
      clock: { now: () => new Date(now) },
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(await resolver.resolve('reg.example/app:v1')).toBe(digest);
    expect(sleeps).toEqual([3_000]);
  });

  it.each([
    [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'arm64v8'],
    [{ os: 'linux', architecture: 'arm64' }, 'arm64'],
    [{ os: 'linux', architecture: 'amd64' }, 'amd64'],
  ])('resolveConfigDigest picks the %j child of an index', async (platform, child) => {
    const manifests = {
      amd64: JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { digest: sha('cfg-amd64') },
      }),
      arm64: JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { digest: sha('cfg-arm64') },
      }),
      arm64v8: JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { digest: sha('cfg-arm64v8') },
      }),
    } as const;
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: [
        { digest: sha('attestation'), platform: { os: 'unknown', architecture: 'unknown' } },
        { digest: sha(manifests.arm64v8), platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { digest: sha(manifests.arm64), platform: { os: 'linux', architecture: 'arm64' } },
        { digest: sha(manifests.amd64), platform: { os: 'linux', architecture: 'amd64' } },
      ],
    });
    const agent = mockAgent();
    agent.get(REG).intercept({ path: '/v2/app/manifests/multi', method: 'GET' }).reply(200, index);
    const chosen = manifests[child as keyof typeof manifests];
    agent
      .get(REG)
      .intercept({ path: `/v2/app/manifests/${sha(chosen)}`, method: 'GET' })
      .reply(200, chosen);
    const resolver = createRegistryResolver({ dispatcher: agent, platform });
    expect(await resolver.resolveConfigDigest('reg.example/app:multi')).toBe(sha(`cfg-${child}`));
  });

  it('an index without the platform is PlatformNotFound', async () => {
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.dockerManifestList,
      manifests: [{ digest: sha('a'), platform: { os: 'linux', architecture: 'amd64' } }],
    });
    const agent = mockAgent();
    agent.get(REG).intercept({ path: '/v2/app/manifests/v1', method: 'GET' }).reply(200, index);
    const resolver = createRegistryResolver({
      dispatcher: agent,
      platform: { os: 'linux', architecture: 's390x' },
    });
    await expect(resolver.resolveConfigDigest('reg.example/app:v1')).rejects.toMatchObject({
      code: 'PlatformNotFound',
    });
  });

  it('a Docker Hub reference goes to registry-1.docker.io with the Hub credentials', async () => {
    const agent = mockAgent();
    const digest = sha('hub');
    const hub = agent.get('https://registry-1.docker.io');
    hub.intercept({ path: '/v2/library/ubuntu/manifests/22.04', method: 'HEAD' }).reply(401, '', {
      headers: {
        'www-authenticate': 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"',
      },
    });
    agent
      .get('https://auth.docker.io')
      .intercept({
        path: '/token?service=registry.docker.io&scope=repository%3Alibrary%2Fubuntu%3Apull&account=hubuser',
        method: 'GET',
        headers: { authorization: `Basic ${Buffer.from('hubuser:hubpass').toString('base64')}` },
      })
      .reply(200, JSON.stringify({ token: 'hub-token' }));
    hub
      .intercept({
        path: '/v2/library/ubuntu/manifests/22.04',
        method: 'HEAD',
        headers: { authorization: 'Bearer hub-token' },
      })
      .reply(200, '', { headers: { 'docker-content-digest': digest } });
    const keychain = createStaticKeychain({
      'https://index.docker.io/v1/': { kind: 'basic', username: 'hubuser', password: 'hubpass' },
    });
    expect(await createRegistryResolver({ dispatcher: agent, keychain }).resolve('ubuntu:22.04')).toBe(
      digest,
    );
  });
});
