import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import {
  type FaultProxy,
  type PushedImage,
  pushImage,
  type RegistryHandle,
  registryFromProvided,
  startFaultProxy,
} from '../src/index.js';
import { manifestRequest } from './registry-test-fetch.js';

const sha256 = (data: ArrayBuffer): string =>
  `sha256:${createHash('sha256').update(Buffer.from(data)).digest('hex')}`;

const REPO = 'faults/app';

describe('startFaultProxy in front of the basic-auth registry', () => {
  let registry: RegistryHandle;
  let proxy: FaultProxy;
  let pushed: PushedImage;
  const head = (reference = 'latest') => manifestRequest(registry, REPO, reference, { baseUrl: proxy.url });
  const get = (reference = 'latest') =>
    manifestRequest(registry, REPO, reference, { method: 'GET', baseUrl: proxy.url });

  beforeAll(async () => {
    registry = registryFromProvided(inject('registries').basic);
    proxy = await startFaultProxy(registry.url);
    pushed = await pushImage(registry, { repository: REPO, kind: 'docker-v2' });
  });
  afterAll(async () => {
    await proxy?.stop();
  });
  beforeEach(() => {
    proxy.clearFaults();
    proxy.resetCounters();
  });

  it('forwards requests with their Authorization and counts them', async () => {
    expect(proxy.host).toMatch(/^127\.0\.0\.1:\d+$/);
    const res = await head();
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(pushed.digest);
    const anonymous = await fetch(`${proxy.url}/v2/${REPO}/manifests/latest`, { method: 'HEAD' });
    expect(anonymous.status).toBe(401);
    expect(proxy.requests()).toEqual([
      { method: 'HEAD', path: `/v2/${REPO}/manifests/latest`, status: 200, fault: undefined },
      { method: 'HEAD', path: `/v2/${REPO}/manifests/latest`, status: 401, fault: undefined },
    ]);
    expect(proxy.requestCount({ method: 'GET' })).toBe(0);
    expect(proxy.requestCount({ path: '/manifests/' })).toBe(2);
    proxy.resetCounters();
    expect(proxy.requestCount()).toBe(0);
  });

  it('answers 429 with Retry-After the given number of times, then forwards again', async () => {
    proxy.respond429(2, 7);
    for (let i = 0; i < 2; i++) {
      const res = await head();
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
    }
    expect((await head()).status).toBe(200);
    expect(proxy.requests().map((r) => [r.status, r.fault])).toEqual([
      [429, 'respond429'],
      [429, 'respond429'],
      [200, undefined],
    ]);
  });

  it('answers 5xx (503 by default) and only to the requests its filter matches', async () => {
    proxy.respond5xx(1);
    proxy.respond5xx(1, 502, { method: 'GET', path: /\/manifests\/sha256:/ });
    expect((await head()).status).toBe(503);
    expect((await get()).status).toBe(200);
    expect((await get(pushed.digest)).status).toBe(502);
    expect((await get(pushed.digest)).status).toBe(200);
  });

  it('strips Docker-Content-Digest while asked to', async () => {
    proxy.stripDigestHeader(true);
    const stripped = await head();
    expect(stripped.status).toBe(200);
    expect(stripped.headers.has('docker-content-digest')).toBe(false);
    const body = await get();
    expect(body.headers.has('docker-content-digest')).toBe(false);
    expect(sha256(await body.arrayBuffer())).toBe(pushed.digest);
    proxy.stripDigestHeader(false);
    expect((await head()).headers.get('docker-content-digest')).toBe(pushed.digest);
  });

  it('corrupts manifest bodies while asked to', async () => {
    proxy.corruptBody(true);
    const res = await get(pushed.digest);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(sha256(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))).not.toBe(
      pushed.digest,
    );
    expect(bytes.subarray(0, pushed.manifest.length).equals(pushed.manifest)).toBe(true);
    expect((await head()).headers.get('docker-content-digest')).toBe(pushed.digest);
    proxy.corruptBody(false);
    expect(sha256(await (await get(pushed.digest)).arrayBuffer())).toBe(pushed.digest);
  });

  it('drops connections the given number of times', async () => {
    proxy.dropConnection(1);
    await expect(head()).rejects.toThrow();
    expect((await head()).status).toBe(200);
    expect(proxy.requests().map((r) => r.fault)).toEqual(['dropConnection', undefined]);
  });

  it('rejects a method with 405 and Allow: GET until the faults are cleared, forwarding the others', async () => {
    proxy.respond5xx(1, 503, { method: 'HEAD' });
    proxy.rejectMethod('head');
    for (let i = 0; i < 2; i++) {
      const rejected = await head();
      expect(rejected.status).toBe(405);
      expect(rejected.headers.get('allow')).toBe('GET');
    }
    const body = await get();
    expect(body.status).toBe(200);
    expect(body.headers.get('docker-content-digest')).toBe(pushed.digest);
    expect(sha256(await body.arrayBuffer())).toBe(pushed.digest);
    proxy.clearFaults();
    expect((await head()).status).toBe(200);
    proxy.rejectMethod('GET', 501);
    expect((await get()).status).toBe(501);
    expect((await head()).status).toBe(200);
    expect(proxy.requests().map((r) => [r.method, r.status, r.fault])).toEqual([
      ['HEAD', 405, 'rejectMethod'],
      ['HEAD', 405, 'rejectMethod'],
      ['GET', 200, undefined],
      ['HEAD', 200, undefined],
      ['GET', 501, 'rejectMethod'],
      ['HEAD', 200, undefined],
    ]);
  });

  it('still forwards with latency on', async () => {
    proxy.latency(20);
    expect((await head()).status).toBe(200);
  });

  it('takes pushes through the proxy (upload locations point back at it)', async () => {
    const viaProxy: RegistryHandle = { ...registry, host: proxy.host, url: proxy.url };
    const image = await pushImage(viaProxy, { repository: 'faults/pushed', kind: 'oci-index' });
    expect(image.reference.startsWith(`${proxy.host}/`)).toBe(true);
    expect(proxy.requestCount({ method: 'PUT' })).toBe(7); // 2 × (config + layer) + 2 children + 1 index
    const direct = await manifestRequest(registry, 'faults/pushed', 'latest');
    expect(direct.headers.get('docker-content-digest')).toBe(image.digest);
  });
});

describe('startFaultProxy in front of the token-auth registry', () => {
  it('forwards bearer tokens; the challenge still names the token server', async () => {
    const provided = inject('registries').token;
    const registry = registryFromProvided(provided);
    const pushed = await pushImage(registry, { repository: 'faults/token', kind: 'oci' });
    const proxy = await startFaultProxy(registry.url);
    try {
      const anonymous = await fetch(`${proxy.url}/v2/faults/token/manifests/latest`, { method: 'HEAD' });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toContain(`realm="${provided.realm}"`);
      const res = await manifestRequest(registry, 'faults/token', 'latest', { baseUrl: proxy.url });
      expect(res.headers.get('docker-content-digest')).toBe(pushed.digest);
    } finally {
      await proxy.stop();
    }
  });
});
