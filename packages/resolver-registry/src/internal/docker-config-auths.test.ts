import { describe, expect, it } from 'vitest';
import { credentialFromAuthEntry, findRegistryKey } from './docker-config-auths.js';

describe('findRegistryKey', () => {
  it.each([
    [['https://index.docker.io/v1/'], 'docker.io', 'library/ubuntu', 'https://index.docker.io/v1/'],
    [['docker.io'], 'docker.io', 'library/ubuntu', 'docker.io'],
    [['registry-1.docker.io'], 'docker.io', 'library/ubuntu', 'registry-1.docker.io'],
    [['index.docker.io'], 'docker.io', 'library/ubuntu', 'index.docker.io'],
    [['reg.example:5000'], 'reg.example:5000', 'app', 'reg.example:5000'],
    [['http://reg.example:5000'], 'reg.example:5000', 'app', 'http://reg.example:5000'],
    [['reg.example'], 'reg.example:5000', 'app', undefined],
    [['quay.io'], 'docker.io', 'library/ubuntu', undefined],
    [['reg.example', 'reg.example/team'], 'reg.example', 'team/app', 'reg.example/team'],
    [['reg.example', 'reg.example/team'], 'reg.example', 'other/app', 'reg.example'],
    [['reg.example/team'], 'reg.example', 'teamster/app', undefined],
  ])('keys %j, %s/%s → %j', (keys, registry, repository, expected) => {
    expect(findRegistryKey(keys, registry, repository)).toBe(expected);
  });
});

describe('credentialFromAuthEntry', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  it.each([
    [{ auth: b64('user:pa:ss') }, { kind: 'basic', username: 'user', password: 'pa:ss' }],
    [
      { username: 'u', password: 'p' },
      { kind: 'basic', username: 'u', password: 'p' },
    ],
    [{ identitytoken: 'refresh' }, { kind: 'identityToken', token: 'refresh' }],
    [
      { auth: b64('u:'), identitytoken: 'refresh' },
      { kind: 'identityToken', username: 'u', token: 'refresh' },
    ],
    [{ registrytoken: 'bearer' }, { kind: 'registryToken', token: 'bearer' }],
    [{ username: 'u' }, undefined],
    [{ auth: b64('no-colon') }, undefined],
    [{}, undefined],
  ])('%j → %j', (entry, expected) => {
    expect(credentialFromAuthEntry(entry)).toEqual(expected);
  });
});
