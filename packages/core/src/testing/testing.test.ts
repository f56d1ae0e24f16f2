import { describe, expect, it } from 'vitest';
import { isConflictError } from '../is-conflict-error.js';
import type { Pod } from '../ports/pod.js';
import {
  FakeClock,
  fakeDigest,
  InMemoryPodClient,
  PodConflictError,
  PodNotFoundError,
  SeededDigestResolver,
  UnseededReferenceError,
} from './index.js';

const pod: Pod = { metadata: { name: 'p', namespace: 'n', labels: { a: '1' } }, spec: { containers: [] } };

describe('InMemoryPodClient', () => {
  it('stores copies, bumps resourceVersion on every write, and counts', async () => {
    const client = new InMemoryPodClient([pod]);
    const read = await client.getPod('n', 'p');
    expect(read.metadata?.resourceVersion).toBe('1');
    read.metadata!.labels!['a'] = 'changed locally';
    expect(client.peek('n', 'p')?.metadata?.labels?.['a']).toBe('1');
    const written = await client.replacePod(read);
    expect(written.metadata?.resourceVersion).toBe('2');
    expect(written.metadata?.labels?.['a']).toBe('changed locally');
    expect([client.reads, client.writes, client.replaceAttempts]).toEqual([1, 1, 1]);
  });

  it('rejects a stale write with a 409', async () => {
    const client = new InMemoryPodClient([pod]);
    const stale = await client.getPod('n', 'p');
    client.modify('n', 'p', (p) => {
      p.metadata!.labels!['b'] = '2';
    });
    const err = await client.replacePod(stale).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PodConflictError);
    expect(isConflictError(err)).toBe(true);
    expect(client.writes).toBe(0);
  });

  it('answers 404 for an unknown pod', async () => {
    const client = new InMemoryPodClient();
    await expect(client.getPod('n', 'x')).rejects.toThrow(PodNotFoundError);
    await expect(client.replacePod({ metadata: { name: 'x' } })).rejects.toMatchObject({
      statusCode: 404,
      code: 'NotFound',
    });
    expect(() => client.modify('n', 'x', () => {})).toThrow(PodNotFoundError);
    expect(client.peek('n', 'x')).toBeUndefined();
  });

  it('injects conflicts and failures once each', async () => {
    const client = new InMemoryPodClient([pod]);
    client.injectConflicts(1);
    await expect(client.replacePod(await client.getPod('n', 'p'))).rejects.toThrow(PodConflictError);
    await expect(client.replacePod(await client.getPod('n', 'p'))).resolves.toBeDefined();
    const boom = new Error('boom');
    client.injectFailure('getPod', boom);
    await expect(client.getPod('n', 'p')).rejects.toBe(boom);
    await expect(client.getPod('n', 'p')).resolves.toBeDefined();
  });
});

describe('SeededDigestResolver', () => {
  const a = fakeDigest('a');
  it('resolves seeded tags by normal form, digests without lookup, records calls', async () => {
    const r = new SeededDigestResolver({
      digests: { 'ubuntu:22.04': a },
      configDigests: { [a]: fakeDigest('cfg') },
    });
    expect(await r.resolve('docker.io/library/ubuntu:22.04')).toBe(a);
    expect(await r.resolve(`quay.io/x@${a}`)).toBe(a);
    expect(await r.resolveConfigDigest('ubuntu:22.04')).toBe(fakeDigest('cfg'));
    expect(await r.resolveConfigDigest(`x@${a}`)).toBe(fakeDigest('cfg'));
    r.setConfigDigest('other:1', fakeDigest('o'));
    expect(await r.resolveConfigDigest('other:1')).toBe(fakeDigest('o'));
    expect(r.calls.map((c) => c.method)).toEqual([
      'resolve',
      'resolve',
      'resolveConfigDigest',
      'resolveConfigDigest',
      'resolveConfigDigest',
    ]);
  });

  it('fails unknown references and injected failures, honours the signal', async () => {
    const r = new SeededDigestResolver();
    await expect(r.resolve('nope:1')).rejects.toThrow(UnseededReferenceError);
    await expect(r.resolveConfigDigest('nope:1')).rejects.toMatchObject({ code: 'ManifestUnknown' });
    r.setDigest('x:1', a);
    r.fail('x:1', new Error('down'));
    await expect(r.resolve('x:1')).rejects.toThrow('down');
    r.fail('x:1', undefined);
    await expect(r.resolve('x:1')).resolves.toBe(a);
    const controller = new AbortController();
    controller.abort(new Error('aborted'));
    await expect(r.resolve('x:1', { signal: controller.signal })).rejects.toThrow('aborted');
    expect(r.digestFromStatus('x', `docker-pullable://x@${a}`)).toBe(a);
  });
});

describe('FakeClock and fakeDigest', () => {
  it('moves only when told', () => {
    const clock = new FakeClock();
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
    clock.advance(1500);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:01.500Z');
    clock.set('2030-01-01T00:00:00Z');
    expect(clock.now().getUTCFullYear()).toBe(2030);
  });

  it('derives distinct, well-formed digests', () => {
    expect(fakeDigest('a')).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(fakeDigest('a')).toBe(fakeDigest('a'));
    expect(fakeDigest('a')).not.toBe(fakeDigest('b'));
  });
});
