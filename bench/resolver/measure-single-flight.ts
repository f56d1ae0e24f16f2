import { withCache } from '@agentbox/resolver-cache';
import { createRegistryResolver } from '@agentbox/resolver-registry';
import { startFaultProxy } from '@agentbox/testenv';

/** Figure 3's result. */
export interface SingleFlightResult {
  readonly concurrent: number;
  /** Requests the registry received (through the counting proxy) for the cached resolves. */
  readonly registryRequests: number;
  /** The same burst through the bare resolver, without the cache. */
  readonly baselineRequests: number;
  readonly distinctDigests: number;
}

/**
 * Figure 3: `concurrent` simultaneous resolves of one tag nobody resolved before, through
 * `withCache`, counted by a proxy in front of the registry; then the same burst of another
 * fresh tag through the bare resolver as the baseline.
 */
export async function measureSingleFlight(
  registryUrl: string,
  push: (tag: string) => Promise<string>,
  concurrent: number,
): Promise<SingleFlightResult> {
  const proxy = await startFaultProxy(registryUrl);
  const resolver = createRegistryResolver({ proxy: false, env: {} });
  try {
    const cachedTag = await push('single-flight-cached');
    const bareTag = await push('single-flight-bare');
    const repositoryPath = (ref: string): string => `${proxy.host}/${ref.slice(ref.indexOf('/') + 1)}`;

    proxy.resetCounters();
    const cached = withCache(resolver);
    const digests = await Promise.all(
      Array.from({ length: concurrent }, () => cached.resolve(repositoryPath(cachedTag))),
    );
    const registryRequests = proxy.requestCount();

    proxy.resetCounters();
    await Promise.all(Array.from({ length: concurrent }, () => resolver.resolve(repositoryPath(bareTag))));
    const baselineRequests = proxy.requestCount();
    return { concurrent, registryRequests, baselineRequests, distinctDigests: new Set(digests).size };
  } finally {
    await resolver.close();
    await proxy.stop();
  }
}
