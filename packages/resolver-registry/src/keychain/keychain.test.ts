import { describe, expect, it } from 'vitest';
import { anonymousKeychain } from './anonymous-keychain.js';
import { composeKeychains, type Keychain } from './keychain.js';
import { createStaticKeychain } from './static-keychain.js';

const hub = { kind: 'basic', username: 'hub', password: 'p1' } as const;
const request = (registry: string) => ({ registry, repository: 'library/ubuntu' });

describe('createStaticKeychain', () => {
  it.each(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1/'])(
    'a Hub entry keyed %s matches every Hub alias',
    async (key) => {
      const keychain = createStaticKeychain({ [key]: hub });
      for (const alias of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) {
        expect(await keychain.credentialsFor(request(alias))).toEqual(hub);
      }
      expect(await keychain.credentialsFor(request('quay.io'))).toBeUndefined();
    },
  );
});

describe('composeKeychains', () => {
  it('asks in order and the first answer wins; anonymous ends the chain with nothing', async () => {
    const asked: string[] = [];
    const spy = (name: string, answer?: typeof hub): Keychain => ({
      async credentialsFor() {
        asked.push(name);
        return answer;
      },
    });
    const chain = composeKeychains(spy('a'), spy('b', hub), spy('c'));
    expect(await chain.credentialsFor(request('docker.io'))).toEqual(hub);
    expect(asked).toEqual(['a', 'b']);
    expect(
      await composeKeychains(spy('d'), anonymousKeychain).credentialsFor(request('docker.io')),
    ).toBeUndefined();
  });
});
