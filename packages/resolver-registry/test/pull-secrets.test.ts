import { hasErrorCode } from '@agentbox/core';
import { createTestNamespace, kubeConfigFor, pushImage, registryFromProvided } from '@agentbox/testenv';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRegistryResolver, type SecretReader } from '../src/index.js';
import { uniqueRepository } from './backends.js';

const registries = inject('registries');
const controlPlane = inject('controlPlane');

// Pull secrets stored in the real kube-apiserver, read through a SecretReader written the way a controller
// would (a plain GET of the Secret), so the keychain meets the exact shapes the API returns.
describe('pull secrets from the real kube-apiserver', () => {
  const agent = new Agent({ connect: { ca: controlPlane.caData } });
  const headers = { authorization: `Bearer ${controlPlane.token}`, 'content-type': 'application/json' };
  const secretReader: SecretReader = {
    async getSecret(namespace, name) {
      const res = await request(`${controlPlane.server}/api/v1/namespaces/${namespace}/secrets/${name}`, {
        dispatcher: agent,
        headers,
      });
      if (res.statusCode === 404) {
        await res.body.dump();
        return undefined;
      }
      const secret = (await res.body.json()) as { type: string; data?: Record<string, string> };
      return { type: secret.type, data: secret.data ?? {} };
    },
  };
  let namespace: string;

  async function createSecret(name: string, type: string, key: string, value: unknown) {
    const res = await request(`${controlPlane.server}/api/v1/namespaces/${namespace}/secrets`, {
      dispatcher: agent,
      method: 'POST',
      headers,
      body: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name },
        type,
        data: { [key]: Buffer.from(JSON.stringify(value)).toString('base64') },
      }),
    });
    await res.body.dump();
    expect(res.statusCode).toBe(201);
  }

  beforeAll(async () => {
    namespace = await createTestNamespace(kubeConfigFor(controlPlane), 'pull-secrets');
    for (const auth of ['basic', 'token'] as const) {
      const p = registries[auth];
      await createSecret(`${auth}-json`, 'kubernetes.io/dockerconfigjson', '.dockerconfigjson', {
        auths: { [p.host]: { auth: Buffer.from(`${p.username}:${p.password}`).toString('base64') } },
      });
      await createSecret(`${auth}-cfg`, 'kubernetes.io/dockercfg', '.dockercfg', {
        [`http://${p.host}`]: { username: p.username, password: p.password },
      });
    }
  });
  afterAll(() => agent.close());

  it.each([
    ['basic', 'basic-json'],
    ['basic', 'basic-cfg'],
    ['token', 'token-json'],
    ['token', 'token-cfg'],
  ] as const)('%s registry resolves with the %s secret of the pod namespace', async (auth, secret) => {
    const image = await pushImage(registryFromProvided(registries[auth]), {
      repository: uniqueRepository('secrets'),
    });
    const resolver = createRegistryResolver({ secretReader, env: {} });
    try {
      // Secrets for other registries and missing ones are skipped, in the pod's order.
      const other = auth === 'basic' ? 'token-json' : 'basic-json';
      expect(
        await resolver.resolve(image.reference, { namespace, pullSecrets: ['absent', other, secret] }),
      ).toBe(image.digest);
      const err = await resolver
        .resolve(image.reference, { namespace, pullSecrets: [other] })
        .catch((e: unknown) => e);
      expect(hasErrorCode(err, 'Unauthorized')).toBe(true);
    } finally {
      await resolver.close();
    }
  });
});
