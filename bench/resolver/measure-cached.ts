import type { DigestResolver } from '@agentbox/core';
import { withCache } from '@agentbox/resolver-cache';
import { median } from './run-concurrently.js';

/** Figure 2's result. */
export interface CachedResult {
  readonly cachedRates: readonly number[];
  readonly baselineRates: readonly number[];
  readonly cachedPerSecond: number;
  /** A bare `await map.get(ref)` loop over the same references: the floor of any awaited lookup. */
  readonly baselinePerSecond: number;
  readonly ratio: number;
  readonly upstreamCalls: number;
}

/** The options a controller passes for a pod: its namespace and its one pull secret. */
const POD_OPTIONS = { namespace: 'bench', pullSecrets: ['regcred'] } as const;

/**
 * Figure 2: resolves per second answered by `withCache` over the real resolver once every
 * tag is cached, called the way the controller calls it (namespace + pull secret), one
 * caller awaiting each resolve in turn (the conservative shape: every resolve pays its
 * own microtask turn).
 */
export async function measureCached(
  upstream: DigestResolver,
  references: readonly string[],
  resolvesPerRound: number,
  rounds: number,
): Promise<CachedResult> {
  const cached = withCache(upstream, { maxEntries: references.length });
  const map = new Map<string, string>();
  for (const ref of references) map.set(ref, await cached.resolve(ref, POD_OPTIONS));
  const count = references.length;

  const cachedRound = async (): Promise<number> => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < resolvesPerRound; i++) await cached.resolve(references[i % count]!, POD_OPTIONS);
    return resolvesPerRound / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  const baselineRound = async (): Promise<number> => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < resolvesPerRound; i++) await map.get(references[i % count]!);
    return resolvesPerRound / (Number(process.hrtime.bigint() - started) / 1e9);
  };

  await cachedRound(); // warm-up (JIT)
  await baselineRound();
  const cachedRates: number[] = [];
  const baselineRates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    cachedRates.push(await cachedRound());
    baselineRates.push(await baselineRound());
  }
  const stats = cached.stats();
  if (stats.misses !== count) throw new Error(`expected ${count} upstream calls, saw ${stats.misses}`);
  const cachedPerSecond = median(cachedRates);
  const baselinePerSecond = median(baselineRates);
  return {
    cachedRates,
    baselineRates,
    cachedPerSecond,
    baselinePerSecond,
    ratio: cachedPerSecond / baselinePerSecond,
    upstreamCalls: stats.misses,
  };
}
