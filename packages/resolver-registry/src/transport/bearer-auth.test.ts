import { describe, expect, it } from 'vitest';
import {
  bearerCacheKey,
  checkTokenRealm,
  createBearerTokenCache,
  credentialFingerprint,
  parseTokenResponse,
  TOKEN_EXPIRY_MARGIN_MS,
} from './bearer-auth.js';

const context = { registry: 'reg.example', repository: 'app' };
const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('parseTokenResponse', () => {
  it.each([
    [{ token: 'a' }, 'a', 60_000],
    [{ access_token: 'b', expires_in: 300 }, 'b', 300_000],
    [{ token: 'c', access_token: 'd', expires_in: 10 }, 'c', 10_000],
    [{ token: 'e', expires_in: 120, issued_at: '2025-12-31T23:59:00Z' }, 'e', 60_000],
    [{ token: 'f', issued_at: '2026-01-01T01:00:00Z' }, 'f', 60_000],
  ])('%j → token %s living %i ms', (json, token, lifetime) => {
    expect(parseTokenResponse(json, NOW, context)).toEqual({
      token,
      expiresAt: NOW + lifetime - TOKEN_EXPIRY_MARGIN_MS,
    });
  });

  it.each([[{}], [{ token: '' }], [{ token: 5 }], [null], ['x']])('%j is a TokenServer error', (json) => {
    expect(() => parseTokenResponse(json, NOW, context)).toThrow(
      expect.objectContaining({ code: 'TokenServer' }),
    );
  });
});

describe('checkTokenRealm', () => {
  it.each([
    ['https://auth.example/token', false, 'ok'],
    ['https://auth.example/token', true, 'ok'],
    ['http://auth.example/token', true, 'ok'],
    ['http://auth.example/token', false, 'InsecureTokenRealm'],
    ['ftp://auth.example/token', true, 'InsecureTokenRealm'],
    ['/token', true, 'RegistryProtocol'],
    [undefined, true, 'RegistryProtocol'],
  ])('%s (plain HTTP allowed: %s) → %s', (realm, plain, outcome) => {
    if (outcome === 'ok') expect(checkTokenRealm(realm, plain, context).href).toBe(realm);
    else
      expect(() => checkTokenRealm(realm, plain, context)).toThrow(
        expect.objectContaining({ code: outcome }),
      );
  });
});

describe('bearer token cache', () => {
  it('reuses a token until it expires and shares one fetch between concurrent misses', async () => {
    let now = NOW;
    let fetches = 0;
    const cache = createBearerTokenCache(() => now);
    const fetch = async () => ({ token: `t${++fetches}`, expiresAt: now + 1_000 });
    const tokens = await Promise.all([cache.get('k', fetch), cache.get('k', fetch), cache.get('k', fetch)]);
    expect(tokens).toEqual(['t1', 't1', 't1']);
    now += 999;
    expect(await cache.get('k', fetch)).toBe('t1');
    now += 1;
    expect(await cache.get('k', fetch)).toBe('t2');
    cache.invalidate('k', 't2');
    expect(await cache.get('k', fetch)).toBe('t3');
  });

  it('holds at most `max` tokens, the least recently used going first', async () => {
    let fetches = 0;
    const cache = createBearerTokenCache(() => NOW, 2);
    const fetch = async () => ({ token: `t${++fetches}`, expiresAt: NOW + 60_000 });
    await cache.get('a', fetch);
    await cache.get('b', fetch);
    await cache.get('c', fetch); // evicts a
    expect(await cache.get('b', fetch)).toBe('t2');
    expect(await cache.get('a', fetch)).toBe('t4');
  });

  it('a caller that aborts stops waiting alone; the shared fetch goes on and is stored', async () => {
    let release!: (t: { token: string; expiresAt: number }) => void;
    let fetches = 0;
    const cache = createBearerTokenCache(() => NOW);
    const fetch = () => {
      fetches++;
      return new Promise<{ token: string; expiresAt: number }>((resolve) => {
        release = resolve;
      });
    };
    const controller = new AbortController();
    const first = cache.get('k', fetch, controller.signal);
    const second = cache.get('k', fetch);
    controller.abort(new Error('gone'));
    await expect(first).rejects.toThrow('gone');
    release({ token: 'shared', expiresAt: NOW + 60_000 });
    expect(await second).toBe('shared');
    expect(await cache.get('k', fetch)).toBe('shared');
    expect(fetches).toBe(1);
  });

  it('keys differ per host, scope and credential, and never contain the secret', () => {
    const a = bearerCacheKey('reg', 'repository:app:pull', {
      kind: 'basic',
      username: 'u',
      password: 'hunter2',
    });
    const b = bearerCacheKey('reg', 'repository:app:pull', {
      kind: 'basic',
      username: 'u',
      password: 'other',
    });
    const c = bearerCacheKey('reg', 'repository:other:pull', {
      kind: 'basic',
      username: 'u',
      password: 'hunter2',
    });
    const anon = bearerCacheKey('reg', 'repository:app:pull', undefined);
    expect(new Set([a, b, c, anon]).size).toBe(4);
    expect(a).not.toContain('hunter2');
    expect(credentialFingerprint(undefined)).toBe('anonymous');
  });
});
