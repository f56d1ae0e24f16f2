import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushImage, startRegistry, type TestRegistry } from '../src/index.js';
import { ACCEPT_ALL } from './registry-test-fetch.js';

function basic(registry: TestRegistry, password = registry.credentials!.password): string {
  return `Basic ${Buffer.from(`${registry.credentials!.username}:${password}`).toString('base64')}`;
}

function tokenUrl(registry: TestRegistry, scope: string, service = registry.tokenServer!.service): URL {
  const url = new URL(registry.tokenServer!.realm);
  url.searchParams.set('service', service);
  url.searchParams.set('scope', scope);
  return url;
}

function decodeJwt(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString('utf8')) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(claims!, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

describe('token server of a token-auth registry (custom expiresIn and fields)', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'token', expiresIn: 5, tokenFields: ['access_token'] });
    await pushImage(registry, { repository: 'token/app' });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('issues RS256 tokens with x5c, the configured lifetime and only the configured field', async () => {
    const before = registry.tokenServer!.tokenRequests();
    const res = await fetch(tokenUrl(registry, 'repository:token/app:pull'), {
      headers: { authorization: basic(registry) },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'issued_at']);
    expect(body['expires_in']).toBe(5);
    expect(new Date(body['issued_at'] as string).toISOString()).toBe(body['issued_at']);
    const { header, claims } = decodeJwt(body['access_token'] as string);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT', x5c: [expect.any(String)] });
    expect(claims).toMatchObject({
      aud: registry.tokenServer!.service,
      sub: registry.credentials!.username,
      access: [{ type: 'repository', name: 'token/app', actions: ['pull'] }],
    });
    expect((claims['exp'] as number) - (claims['iat'] as number)).toBe(5);
    expect(registry.tokenServer!.tokenRequests()).toBe(before + 1);

    const pull = await fetch(`${registry.url}/v2/token/app/manifests/latest`, {
      method: 'HEAD',
      headers: { accept: ACCEPT_ALL, authorization: `Bearer ${body['access_token'] as string}` },
    });
    expect(pull.status).toBe(200);
  });

  it('gives anonymous callers an empty access list, which the registry refuses', async () => {
    const res = await fetch(tokenUrl(registry, 'repository:token/app:pull'));
    expect(res.status).toBe(200);
    const token = ((await res.json()) as { access_token: string }).access_token;
    expect(decodeJwt(token).claims['access']).toEqual([]);
    const pull = await fetch(`${registry.url}/v2/token/app/manifests/latest`, {
      method: 'HEAD',
      headers: { accept: ACCEPT_ALL, authorization: `Bearer ${token}` },
    });
    expect(pull.status).toBe(401);
    expect(pull.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(registry.tokenServer!.tokenRequestLog().at(-1)).toEqual({
      scopes: ['repository:token/app:pull'],
      authenticated: false,
      status: 200,
    });
  });

  it.each([
    { name: 'a wrong password', password: 'wrong', service: undefined, status: 401 },
    { name: 'another service', password: undefined, service: 'other-registry', status: 400 },
  ])('refuses $name with $status', async ({ password, service, status }) => {
    const res = await fetch(tokenUrl(registry, 'repository:token/app:pull', service), {
      headers: { authorization: basic(registry, password) },
    });
    expect(res.status).toBe(status);
    expect(await res.text()).not.toContain(registry.credentials!.password);
  });

  it('rejects a token signed by another key', async () => {
    const other = await startRegistry({ auth: 'token' });
    try {
      const res = await fetch(tokenUrl(other, 'repository:token/app:pull', other.tokenServer!.service), {
        headers: { authorization: basic(other) },
      });
      const foreign = ((await res.json()) as { token: string }).token;
      const pull = await fetch(`${registry.url}/v2/token/app/manifests/latest`, {
        method: 'HEAD',
        headers: { accept: ACCEPT_ALL, authorization: `Bearer ${foreign}` },
      });
      expect(pull.status).toBe(401);
    } finally {
      await other.stop();
    }
  });

  it('counts the token requests of pushImage too (one per push)', async () => {
    const before = registry.tokenServer!.tokenRequests();
    await pushImage(registry, { repository: 'token/other', kind: 'oci-index' });
    expect(registry.tokenServer!.tokenRequests()).toBe(before + 1);
  });
});
