import type { Clock } from '@agentbox/core';
import { type CachedDigestResolver, type CacheEventListener, withCache } from '@agentbox/resolver-cache';
import {
  anonymousKeychain,
  composeKeychains,
  createDockerConfigKeychain,
  createPullSecretKeychain,
  createRegistryResolver,
  type Keychain,
} from '@agentbox/resolver-registry';
import type { KubeClient } from '../kube/kube-client.js';
import { createSecretReader } from './create-secret-reader.js';

/** The registry client behind the default resolver. */
export type ResolverBackend = 'registry' | 'docker-registry-client';

/** Options of createDefaultResolver. */
export interface DefaultResolverOptions {
  /** Reads the pods' pull secrets. */
  kube: KubeClient;
  /** Default: `registry` (undici, HEAD); `docker-registry-client` is the swappable second backend. */
  backend?: ResolverBackend;
  /** Positive TTL of the digest cache. Default: 60000 ms. */
  cacheTtlMs?: number;
  /** A docker `config.json` with extra credentials, tried after the pod's pull secrets. Default: none. */
  dockerConfigPath?: string;
  /** How long a pull Secret read is reused. Default: 10000 ms. */
  secretTtlMs?: number;
  /** The cache's events (hits and misses, for metrics). */
  onCacheEvent?: CacheEventListener;
  /** The cache's time source. Default: the system clock. */
  clock?: Clock;
}

/** The default resolver and what closes it. */
export interface DefaultResolver extends CachedDigestResolver {
  /** Closes the registry backend's connections. */
  close(): Promise<void>;
}

/**
 * The controller's default DigestResolver: `withCache(backend)` where the backend's keychain is the pod's pull
 * secrets (read through the KubeClient, briefly cached), then the docker config given, then anonymous.
 */
export async function createDefaultResolver(options: DefaultResolverOptions): Promise<DefaultResolver> {
  const keychains: Keychain[] = [
    createPullSecretKeychain({
      secretReader: createSecretReader(options.kube, { ttlMs: options.secretTtlMs }),
    }),
  ];
  if (options.dockerConfigPath)
    keychains.push(createDockerConfigKeychain({ path: options.dockerConfigPath }));
  keychains.push(anonymousKeychain);
  const keychain = composeKeychains(...keychains);

  let close = async () => {};
  let backend: Parameters<typeof withCache>[0];
  if ((options.backend ?? 'registry') === 'docker-registry-client') {
    // Loaded only when asked for: the module and its peer dependency stay out of the default path.
    const { createDockerRegistryClientResolver } = await import(
      '@agentbox/resolver-registry/docker-registry-client'
    );
    backend = createDockerRegistryClientResolver({ keychain });
  } else {
    const registry = createRegistryResolver({ keychain });
    backend = registry;
    close = () => registry.close();
  }
  const cached = withCache(backend, {
    ttlMs: options.cacheTtlMs ?? 60_000,
    ...(options.onCacheEvent ? { onEvent: options.onCacheEvent } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { ...cached, close };
}
