import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { pushImage, registryFromProvided, startFaultProxy } from '@agentbox/testenv';
import { MockAgent } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createDockerConfigKeychain,
  createPullSecretKeychain,
  createRegistryResolver,
  createStaticKeychain,
  type Keychain,
  runCredentialHelper,
} from '../src/index.js';
import { BACKENDS, type Backend, type ResolverUnderTest } from './backends.js';

const registries = inject('registries');

/** Every rendering of an error a log line or a CLI could produce. */
function renderings(err: unknown): string[] {
  return [
    (err as Error).message,
    String(err),
    JSON.stringify(err),
    inspect(err, { depth: 20, showHidden: true }),
    (err as Error).stack ?? '',
  ];
}

/** Asserts that `err` is an error with a code and that no rendering of it contains any of `secrets`. */
function expectClean(err: unknown, code: string, secrets: readonly string[]): void {
  expect(err).toBeInstanceOf(Error);
  expect((err as { code?: string }).code).toBe(code);
  for (const text of renderings(err)) {
    for (const secret of secrets) expect(text).not.toContain(secret);
  }
}

function basicHeaderSecret(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64');
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// "No error message, log line or toString ever contains a password or token": every error path, both backends.
describe.each(BACKENDS)('$name backend: errors never carry the password (real registry)', (rawBackend) => {
  const created: ResolverUnderTest[] = [];
  const backend = {
    name: rawBackend.name,
    create: (options: Parameters<Backend['create']>[0]) => {
      const under = rawBackend.create(options);
      created.push(under);
      return under;
    },
  };
  afterAll(() => Promise.all(created.map((u) => u.close())));
  const basic = registries.basic;
  const secrets = [basic.password, basicHeaderSecret(basic.username, basic.password)];
  let proxy: Awaited<ReturnType<typeof startFaultProxy>>;
  let reference: string;
  let digestReference: string;
  let keychain: Keychain;
  beforeAll(async () => {
    proxy = await startFaultProxy(basic.url);
    const image = await pushImage(registryFromProvided(basic), { repository: 'hygiene/app' });
    reference = `${proxy.host}/${image.repository}:${image.tag}`;
    digestReference = `${proxy.host}/${image.repository}@${image.digest}`;
    keychain = createStaticKeychain({
      [proxy.host]: { kind: 'basic', username: basic.username, password: basic.password },
    });
  });
  afterAll(() => proxy.stop());

  const cases: [string, string, () => Promise<unknown>][] = [
    [
      'missing tag',
      'ManifestUnknown',
      () => backend.create({ keychain }).resolver.resolve(`${proxy.host}/hygiene/app:nope`),
    ],
    [
      'persistent 503',
      'RegistryUnavailable',
      () => {
        proxy.respond5xx(5, 503, { path: '/manifests/' });
        return backend.create({ keychain, retries: 1, retryBaseDelayMs: 1 }).resolver.resolve(reference);
      },
    ],
    [
      '429 beyond the Retry-After cap',
      'TooManyRequests',
      () => {
        proxy.respond429(5, 120, { path: '/manifests/' });
        return backend.create({ keychain, retries: 1 }).resolver.resolve(reference);
      },
    ],
    [
      'timeout',
      'Timeout',
      () => {
        proxy.latency(1_000);
        return backend.create({ keychain, requestTimeoutMs: 150, retries: 0 }).resolver.resolve(reference);
      },
    ],
    [
      'corrupted body',
      'DigestMismatch',
      () => {
        proxy.corruptBody(true);
        return backend.create({ keychain }).resolver.resolveConfigDigest(digestReference);
      },
    ],
    [
      'manifest too large',
      'ManifestTooLarge',
      () => backend.create({ keychain, maxManifestBytes: 16 }).resolver.resolveConfigDigest(reference),
    ],
  ];

  it.each(cases)('%s → %s, without the password', async (_name, code, run) => {
    try {
      const err = await run().catch((e: unknown) => e);
      expectClean(err, code, secrets);
    } finally {
      proxy.clearFaults();
    }
  });

  it('connection refused → RegistryUnavailable, without the password', async () => {
    const host = `127.0.0.1:${await closedPort()}`;
    const under = backend.create({
      keychain: createStaticKeychain({
        [host]: { kind: 'basic', username: basic.username, password: basic.password },
      }),
      retries: 0,
    });
    expectClean(
      await under.resolver.resolve(`${host}/hygiene/app:v1`).catch((e: unknown) => e),
      'RegistryUnavailable',
      secrets,
    );
  });

  it.each(['basic', 'token'] as const)('wrong password on the %s registry, never echoed', async (auth) => {
    const provided = registries[auth];
    const image = await pushImage(registryFromProvided(provided), { repository: 'hygiene/wrong' });
    const wrong = 'Wr0ng-Pa55word-4f1c9e';
    const under = backend.create({
      keychain: createStaticKeychain({
        [provided.host]: { kind: 'basic', username: provided.username, password: wrong },
      }),
    });
    const err = await under.resolver.resolve(image.reference).catch((e: unknown) => e);
    // docker-registry-client reports a refused Basic login as 404 (documented limit).
    const code =
      backend.name === 'docker-registry-client' && auth === 'basic' ? 'ManifestUnknown' : 'Unauthorized';
    expectClean(err, code, [wrong, basicHeaderSecret(provided.username, wrong), provided.password]);
  });
});

describe('undici backend: token paths never carry the token (MockAgent token server)', () => {
  const TOKEN = 'tok-5ecret-0f-the-realm-91b2';
  const PASSWORD = 'mock-pa55word-77aa';
  const keychain = createStaticKeychain({
    'reg.example': { kind: 'basic', username: 'u', password: PASSWORD },
  });
  const secrets = [TOKEN, PASSWORD, basicHeaderSecret('u', PASSWORD)];
  const challenge = { 'www-authenticate': 'Bearer realm="https://auth.example/token",service="reg.example"' };

  function mock(registryStatus: number, tokenBody: unknown = { token: TOKEN }, realm = challenge) {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const registry = agent.get('https://reg.example');
    registry.intercept({ path: '/v2/app/manifests/v1', method: 'HEAD' }).reply(401, '', { headers: realm });
    registry
      .intercept({ path: '/v2/app/manifests/v1', method: 'HEAD' })
      .reply(registryStatus, '', { headers: { 'retry-after': '600' } })
      .persist();
    agent
      .get('https://auth.example')
      .intercept({ path: (p) => p.startsWith('/token'), method: 'GET' })
      .reply(200, JSON.stringify(tokenBody), { headers: { 'content-type': 'application/json' } });
    return agent;
  }

  it.each([
    [401, 'Unauthorized'],
    [403, 'Denied'],
    [404, 'ManifestUnknown'],
    [429, 'TooManyRequests'],
    [503, 'RegistryUnavailable'],
    [400, 'RegistryProtocol'],
  ])('registry answers %i with a valid token → %s', async (status, code) => {
    const resolver = createRegistryResolver({ keychain, dispatcher: mock(status), retries: 0 });
    expectClean(await resolver.resolve('reg.example/app:v1').catch((e: unknown) => e), code, secrets);
  });

  it('a token answer without a token (echoing the password) → TokenServer', async () => {
    const resolver = createRegistryResolver({
      keychain,
      dispatcher: mock(200, { error: PASSWORD }),
      retries: 0,
    });
    expectClean(
      await resolver.resolve('reg.example/app:v1').catch((e: unknown) => e),
      'TokenServer',
      secrets,
    );
  });

  it('an http realm for an https registry → InsecureTokenRealm, and no token request is made', async () => {
    const agent = mock(
      200,
      { token: TOKEN },
      { 'www-authenticate': 'Bearer realm="http://auth.example/token"' },
    );
    const resolver = createRegistryResolver({ keychain, dispatcher: agent, retries: 0 });
    expectClean(
      await resolver.resolve('reg.example/app:v1').catch((e: unknown) => e),
      'InsecureTokenRealm',
      secrets,
    );
    expect(agent.pendingInterceptors().some((i) => i.origin === 'https://auth.example')).toBe(true);
  });
});

describe('keychain errors never carry the secret', () => {
  const SECRET = 'helper-5ecret-c0ffee';

  it('a credential helper that prints the secret and fails → CredentialHelper', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentbox-hygiene-'));
    try {
      await writeFile(
        join(dir, 'docker-credential-leaky'),
        `#!/bin/sh\necho '{"Secret":"${SECRET}"'\nexit 3\n`,
      );
      await chmod(join(dir, 'docker-credential-leaky'), 0o755);
      const err = await runCredentialHelper('leaky', 'reg.example', { env: { PATH: dir } }).catch(
        (e: unknown) => e,
      );
      expectClean(err, 'CredentialHelper', [SECRET]);
      const keychain = createDockerConfigKeychain({ config: { credsStore: 'leaky' }, env: { PATH: dir } });
      const viaKeychain = await keychain
        .credentialsFor({ registry: 'reg.example', repository: 'app' })
        .catch((e: unknown) => e);
      expectClean(viaKeychain, 'CredentialHelper', [SECRET]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a malformed pull secret → InvalidCredentialsConfig naming the secret, not its content', async () => {
    const keychain = createPullSecretKeychain({
      secretReader: {
        async getSecret() {
          const data = Buffer.from(`{"auths": {"reg.example": {"password": "${SECRET}" }`).toString('base64');
          return { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': data } };
        },
      },
    });
    const err = await keychain
      .credentialsFor({ registry: 'reg.example', repository: 'app', namespace: 'ns', pullSecrets: ['bad'] })
      .catch((e: unknown) => e);
    expectClean(err, 'InvalidCredentialsConfig', [SECRET]);
    expect((err as Error).message).toContain('ns/bad');
  });
});
