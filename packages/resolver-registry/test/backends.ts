import type { DigestResolver } from '@agentbox/core';
import type { ProvidedRegistry } from '@agentbox/testenv';
import { createDockerRegistryClientResolver } from '../src/docker-registry-client/index.js';
import {
  createRegistryResolver,
  createStaticKeychain,
  type Keychain,
  type RegistryResolverOptions,
} from '../src/index.js';

/** A resolver under test plus a way to release it. */
export interface ResolverUnderTest {
  readonly resolver: DigestResolver;
  close(): Promise<void>;
}

/** Options both backends understand (the subset the shared contract tests use). */
export interface CommonOptions {
  readonly keychain?: Keychain;
  readonly requestTimeoutMs?: number;
  readonly retries?: number;
  readonly retryBaseDelayMs?: number;
  readonly maxRetryAfterMs?: number;
  readonly maxManifestBytes?: number;
}

/** One backend of the contract tests. */
export interface Backend {
  readonly name: 'undici' | 'docker-registry-client';
  create(options: CommonOptions & Partial<RegistryResolverOptions>): ResolverUnderTest;
}

/** The two backends; `describe.each(BACKENDS)` runs a contract against both. */
export const BACKENDS: readonly Backend[] = [
  {
    name: 'undici',
    create(options) {
      const resolver = createRegistryResolver(options);
      return { resolver, close: () => resolver.close() };
    },
  },
  {
    name: 'docker-registry-client',
    create(options) {
      const resolver = createDockerRegistryClientResolver(options);
      return { resolver, close: async () => undefined };
    },
  },
];

/** A keychain holding the provided registry's real credentials (none for the anonymous one). */
export function keychainFor(registry: ProvidedRegistry, hostOverride?: string): Keychain {
  if (registry.auth === 'none') return createStaticKeychain({});
  return createStaticKeychain({
    [hostOverride ?? registry.host]: {
      kind: 'basic',
      username: registry.username,
      password: registry.password,
    },
  });
}

/** Repository names unique per test, so tests never see each other's tags. */
export function uniqueRepository(prefix: string): string {
  return `${prefix}/${Math.random().toString(36).slice(2, 10)}`;
}
