import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, hasErrorCode } from '@agentbox/core';
import {
  pullSecretReaderFor,
  pushImage,
  registryFromProvided,
  startRegistry,
  type TestRegistry,
} from '@agentbox/testenv';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  composeKeychains,
  createDockerConfigKeychain,
  createRegistryResolver,
  createStaticKeychain,
  type SecretReader,
} from '../src/index.js';
import { BACKENDS, uniqueRepository } from './backends.js';

const registries = inject('registries');

// SCENARIOS "resolvers": wrong password → Unauthorized (never a 404) with the undici backend.
describe.each(['basic', 'token'] as const)('undici backend, %s registry', (auth) => {
  const provided = registries[auth];
  const handle = registryFromProvided(provided);
  let reference: string;
  beforeAll(async () => {
    reference = (await pushImage(handle, { repository: uniqueRepository('auth') })).reference;
  });

  it('a wrong password is Unauthorized with status 401, not a 404', async () => {
    const resolver = createRegistryResolver({
      keychain: createStaticKeychain({
        [provided.host]: { kind: 'basic', username: provided.username, password: 'not-the-password' },
      }),
    });
    const err = await resolver.resolve(reference).catch((e: unknown) => e);
    await resolver.close();
    expect(hasErrorCode(err, 'Unauthorized')).toBe(true);
    expect(err).toMatchObject({ registry: provided.host, status: 401 });
  });

  it('no credentials at all is Unauthorized', async () => {
    const resolver = createRegistryResolver({ keychain: createStaticKeychain({}) });
    const err = await resolver.resolve(reference).catch((e: unknown) => e);
    await resolver.close();
    expect(hasErrorCode(err, 'Unauthorized')).toBe(true);
  });

  it('credentials from a kubernetes.io/dockerconfigjson pull secret of the pod namespace resolve', async () => {
    const secrets: SecretReader = pullSecretReaderFor(provided, 'team-a', 'regcred');
    const resolver = createRegistryResolver({ secretReader: secrets, env: {} });
    try {
      await expect(
        resolver.resolve(reference, { namespace: 'team-a', pullSecrets: ['missing', 'regcred'] }),
      ).resolves.toMatch(/^sha256:/);
      // The same secret name in another namespace is not visible: anonymous, refused.
      const err = await resolver
        .resolve(reference, { namespace: 'team-b', pullSecrets: ['regcred'] })
        .catch((e) => e);
      expect(hasErrorCode(err, 'Unauthorized')).toBe(true);
    } finally {
      await resolver.close();
    }
  });

  it('credentials from a docker config credHelpers entry (docker-credential-<name> get) resolve', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentbox-credhelper-'));
    try {
      const script = join(dir, 'docker-credential-agentboxtest');
      const answer = JSON.stringify({
        ServerURL: provided.host,
        Username: provided.username,
        Secret: provided.password,
      });
      await writeFile(
        script,
        `#!/bin/sh\nread server\nif [ "$server" = "${provided.host}" ]; then echo '${answer}'; exit 0; fi\necho 'credentials not found in native keychain'; exit 1\n`,
      );
      await chmod(script, 0o755);
      const keychain = createDockerConfigKeychain({
        config: { credHelpers: { [provided.host]: 'agentboxtest' } },
        env: { PATH: `${dir}:${process.env.PATH ?? ''}` },
      });
      const resolver = createRegistryResolver({ keychain });
      await expect(resolver.resolve(reference)).resolves.toMatch(/^sha256:/);
      await resolver.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('undici backend, bearer token cache', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'token', expiresIn: 60 });
  });
  afterAll(() => registry.stop());

  it('reuses the token until it expires, then fetches a new one', async () => {
    const image = await pushImage(registry, { repository: 'cache/app' });
    let now = Date.now();
    const clock: Clock = { now: () => new Date(now) };
    const keychain = createStaticKeychain({ [registry.host]: { kind: 'basic', ...registry.credentials! } });
    const resolver = createRegistryResolver({ keychain, clock });
    const pulls = () =>
      registry.tokenServer!.tokenRequestLog().filter((r) => r.scopes.includes('repository:cache/app:pull'));
    try {
      for (let i = 0; i < 5; i++) expect(await resolver.resolve(image.reference)).toBe(image.digest);
      expect(await resolver.resolveConfigDigest(image.reference)).toBe(image.configDigest);
      expect(pulls()).toHaveLength(1);
      now += 50_000; // still inside expires_in (60 s) minus the 5 s safety margin
      await resolver.resolve(image.reference);
      expect(pulls()).toHaveLength(1);
      now += 11_000; // past expiry
      await resolver.resolve(image.reference);
      expect(pulls()).toHaveLength(2);
      expect(pulls().every((r) => r.authenticated && r.status === 200)).toBe(true);
    } finally {
      await resolver.close();
    }
  });

  it.each([[['token']], [['access_token']]] as const)(
    'accepts a token server answering only %j',
    async (fields) => {
      const only = await startRegistry({ auth: 'token', tokenFields: fields });
      try {
        const image = await pushImage(only, { repository: 'fields/app' });
        const resolver = createRegistryResolver({
          keychain: composeKeychains(
            createStaticKeychain({ [only.host]: { kind: 'basic', ...only.credentials! } }),
          ),
        });
        expect(await resolver.resolve(image.reference)).toBe(image.digest);
        await resolver.close();
      } finally {
        await only.stop();
      }
    },
  );
});

// docker-registry-client's documented limits, pinned down so a change of behaviour is noticed.
describe('docker-registry-client backend, auth limits', () => {
  const drc = BACKENDS.find((b) => b.name === 'docker-registry-client')!;

  it('token registry: a wrong password is Unauthorized', async () => {
    const provided = registries.token;
    const image = await pushImage(registryFromProvided(provided), { repository: uniqueRepository('drc') });
    const under = drc.create({
      keychain: createStaticKeychain({
        [provided.host]: { kind: 'basic', username: provided.username, password: 'nope' },
      }),
    });
    const err = await under.resolver.resolve(image.reference).catch((e: unknown) => e);
    expect(hasErrorCode(err, 'Unauthorized')).toBe(true);
  });

  it('basic registry: a wrong password shows as ManifestUnknown (the module turns the 401 into a 404)', async () => {
    const provided = registries.basic;
    const image = await pushImage(registryFromProvided(provided), { repository: uniqueRepository('drc') });
    const under = drc.create({
      keychain: createStaticKeychain({
        [provided.host]: { kind: 'basic', username: provided.username, password: 'nope' },
      }),
    });
    const err = await under.resolver.resolve(image.reference).catch((e: unknown) => e);
    expect(hasErrorCode(err, 'ManifestUnknown')).toBe(true);
  });
});
