import type { DigestResolver } from '@agentbox/core';
import { withCache } from '@agentbox/resolver-cache';
import { runConcurrently, settledHeapUsed } from './run-concurrently.js';

/** Figure 4's result (bytes). */
export interface HeapResult {
  readonly entries: number;
  /** heapUsed growth for `entries` entries held by `withCache`, after full collections. */
  readonly cacheBytes: number;
  /** The same keys and digests in a bare `Map<string, string>`: the floor of any cache. */
  readonly baselineBytes: number;
  readonly ratio: number;
}

/**
 * Figure 4: heap held by `entries` cached digests, filled through the real resolver (so
 * digests are the strings the wire produced), keyed as a controller would: the pushed tags
 * resolved on behalf of many namespaces (every namespace is its own credential identity).
 */
export async function measureHeap(
  upstream: DigestResolver,
  references: readonly string[],
  entries: number,
  concurrency: number,
): Promise<HeapResult> {
  const namespaces = Math.ceil(entries / references.length);
  const call = (i: number): { ref: string; namespace: string } => ({
    ref: references[i % references.length]!,
    namespace: `team-${Math.floor(i / references.length)
      .toString()
      .padStart(String(namespaces).length, '0')}`,
  });
  const digests = new Map<string, string>();
  for (const ref of references) digests.set(ref, await upstream.resolve(ref));

  // Baseline: fresh key and digest strings (not shared with anything) in a plain Map.
  const baselineBefore = settledHeapUsed();
  let baseline: Map<string, string> | undefined = new Map();
  for (let i = 0; i < entries; i++) {
    const { ref, namespace } = call(i);
    baseline.set(`${ref}\n${namespace}`, Buffer.from(digests.get(ref)!).toString('latin1'));
  }
  const baselineBytes = settledHeapUsed() - baselineBefore;
  if (baseline.size !== entries) throw new Error('baseline keys collided');
  baseline = undefined;

  // Measured from before the cache exists: the LRU allocates its index arrays for
  // `maxEntries` up front, and they are part of what 100,000 entries cost.
  const before = settledHeapUsed();
  const cached = withCache(upstream, { maxEntries: entries });
  await runConcurrently(entries, concurrency, (i) => {
    const { ref, namespace } = call(i);
    return cached.resolve(ref, { namespace });
  });
  const cacheBytes = settledHeapUsed() - before;
  const stats = cached.stats();
  if (stats.size !== entries || stats.evictions !== 0 || stats.misses !== entries) {
    throw new Error(`expected ${entries} entries from ${entries} misses, got ${JSON.stringify(stats)}`);
  }
  // Keep the cache alive until after the measurement.
  cached.clear();
  return { entries, cacheBytes, baselineBytes, ratio: cacheBytes / baselineBytes };
}
