import {
  type ConnectionCounter,
  pushImage,
  registryFromProvided,
  startConnectionCounter,
} from '@agentbox/testenv';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRegistryResolver } from '../src/index.js';
import { uniqueRepository } from './backends.js';

const registries = inject('registries');

// Connections are counted where the registry sees them: a TCP forwarder in front of it accepts every
// connection a client opens. undici closes the connection after each HEAD unless told otherwise; these
// tests hold the resolver to one connection for a whole sequence of lookups, on both registry kinds.
describe.each([
  { label: 'Distribution', key: 'none' as const },
  { label: 'crane registry (go-containerregistry)', key: 'crane' as const },
])('connections kept alive to the $label registry', ({ key }) => {
  const provided = registries[key];
  let counter: ConnectionCounter;
  let tag: string;
  let reference: string;
  beforeAll(async () => {
    counter = await startConnectionCounter(provided.host);
    const image = await pushImage(registryFromProvided(provided), {
      repository: uniqueRepository('keepalive'),
      kind: 'oci-index',
    });
    tag = `${image.repository}:${image.tag}`;
    reference = `${counter.host}/${tag}`;
    expect(image.digest).toMatch(/^sha256:/);
  });
  afterAll(() => counter.stop());

  it('1,000 sequential resolves (HEAD) of a plain-HTTP registry open 1 connection', async () => {
    const resolver = createRegistryResolver({ env: {}, proxy: false, insecureRegistries: [counter.host] });
    counter.reset();
    try {
      const digests = new Set<string>();
      for (let i = 0; i < 1_000; i++) digests.add(await resolver.resolve(reference));
      expect(digests.size).toBe(1);
      expect(counter.connections()).toBe(1);
    } finally {
      await resolver.close();
    }
  });

  it('a loopback registry named without a scheme adds one connection: the https probe, once', async () => {
    const resolver = createRegistryResolver({ env: {}, proxy: false });
    counter.reset();
    try {
      for (let i = 0; i < 1_000; i++) await resolver.resolve(reference);
      expect(counter.connections()).toBe(2);
    } finally {
      await resolver.close();
    }
  });

  it('100 config lookups (GET of an index, then of its child) reuse 1 connection', async () => {
    const resolver = createRegistryResolver({ env: {}, proxy: false, insecureRegistries: [counter.host] });
    counter.reset();
    try {
      for (let i = 0; i < 100; i++) await resolver.resolveConfigDigest(reference);
      expect(counter.connections()).toBe(1);
    } finally {
      await resolver.close();
    }
  });

  it('concurrent lookups share a pool bounded by maxConnectionsPerOrigin', async () => {
    const resolver = createRegistryResolver({
      env: {},
      proxy: false,
      insecureRegistries: [counter.host],
      maxConnectionsPerOrigin: 4,
    });
    counter.reset();
    try {
      const lookups = Array.from({ length: 400 }, () => resolver.resolve(reference));
      expect(new Set(await Promise.all(lookups)).size).toBe(1);
      expect(counter.connections()).toBeGreaterThanOrEqual(1);
      expect(counter.connections()).toBeLessThanOrEqual(4);
    } finally {
      await resolver.close();
    }
  });

  it('close() closes the pool the resolver built: later lookups fail, a passed-in dispatcher stays open', async () => {
    const resolver = createRegistryResolver({ env: {}, proxy: false, insecureRegistries: [counter.host] });
    expect(await resolver.resolve(reference)).toMatch(/^sha256:/);
    await resolver.close();
    await expect(resolver.resolve(reference)).rejects.toMatchObject({ code: 'RegistryUnavailable' });
    const own = new Agent();
    const borrowing = createRegistryResolver({ dispatcher: own, insecureRegistries: [counter.host] });
    await borrowing.close();
    expect(
      await createRegistryResolver({ dispatcher: own, insecureRegistries: [counter.host] }).resolve(
        reference,
      ),
    ).toMatch(/^sha256:/);
    await own.close();
  });
});
