import { describe, expect, it } from 'vitest';
import { createPullSecretKeychain, type PullSecret } from './pull-secret-keychain.js';

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');

function keychainWith(secrets: Record<string, PullSecret>) {
  return createPullSecretKeychain({
    secretReader: { getSecret: async (namespace, name) => secrets[`${namespace}/${name}`] },
  });
}

describe('createPullSecretKeychain', () => {
  const dockerconfigjson: PullSecret = {
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': b64({ auths: { 'https://index.docker.io/v1/': { auth: b64('hub:p1') } } }) },
  };
  const dockercfg: PullSecret = {
    type: 'kubernetes.io/dockercfg',
    data: { '.dockercfg': b64({ 'reg.example:5000': { username: 'legacy', password: 'p2' } }) },
  };
  const opaque: PullSecret = { type: 'Opaque', data: { '.dockerconfigjson': b64({ auths: {} }) } };
  const keychain = keychainWith({ 'ns/hub': dockerconfigjson, 'ns/legacy': dockercfg, 'ns/opaque': opaque });

  it.each([
    ['docker.io', ['hub'], { kind: 'basic', username: 'hub', password: 'p1' }],
    [
      'registry-1.docker.io',
      ['opaque', 'missing', 'hub'],
      { kind: 'basic', username: 'hub', password: 'p1' },
    ],
    ['reg.example:5000', ['hub', 'legacy'], { kind: 'basic', username: 'legacy', password: 'p2' }],
    ['quay.io', ['hub', 'legacy'], undefined],
  ])('%s with secrets %j', async (registry, pullSecrets, expected) => {
    expect(
      await keychain.credentialsFor({ registry, repository: 'library/app', namespace: 'ns', pullSecrets }),
    ).toEqual(expected);
  });

  it('reads nothing without a namespace or pull secrets', async () => {
    expect(
      await keychain.credentialsFor({ registry: 'docker.io', repository: 'x', pullSecrets: ['hub'] }),
    ).toBeUndefined();
    expect(
      await keychain.credentialsFor({ registry: 'docker.io', repository: 'x', namespace: 'ns' }),
    ).toBeUndefined();
  });

  it.each([
    [{ type: 'kubernetes.io/dockerconfigjson', data: {} }, 'has no docker config key'],
    [
      { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{nope') } },
      'not base64-encoded JSON',
    ],
    [
      { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64({ auths: 3 }) } },
      'docker config shape',
    ],
  ])('a malformed secret is InvalidCredentialsConfig: %j', async (secret, reason) => {
    const bad = keychainWith({ 'ns/bad': secret });
    await expect(
      bad.credentialsFor({ registry: 'docker.io', repository: 'x', namespace: 'ns', pullSecrets: ['bad'] }),
    ).rejects.toMatchObject({ code: 'InvalidCredentialsConfig', message: expect.stringContaining(reason) });
  });
});
