import { createRegistryResolver } from '@agentbox/resolver-registry';
import type { GoBaseline } from './go-baseline-process.js';
import { median, runConcurrently } from './run-concurrently.js';

/** Setup of one uncached comparison: one registry, one concurrency. */
export interface ColdSetup {
  /** `127.0.0.1:<port>/<repository>:<tag>` of every pushed tag. */
  readonly references: readonly string[];
  /** Resolves per round and side. */
  readonly requests: number;
  /** Resolves in flight at once, the same for both sides. */
  readonly concurrency: number;
  /** Measured rounds per side, alternated (Go first in even rounds, agentbox first in odd ones). */
  readonly rounds: number;
}

/** One measured round of one side. */
export interface ColdRound {
  readonly perSecond: number;
  /** CPU time of that side's process per resolve (user + system, all threads), µs. */
  readonly cpuMicrosPerResolve: number;
}

/** The result of one comparison: every round of each side, the medians and the median paired ratios. */
export interface ColdResult {
  readonly concurrency: number;
  readonly requests: number;
  readonly agentbox: readonly ColdRound[];
  readonly ggcr: readonly ColdRound[];
  readonly agentboxPerSecond: number;
  readonly ggcrPerSecond: number;
  /** Median of agentbox / ggcr resolves per second of each round (the two sides of a round run back to back). */
  readonly ratio: number;
  readonly agentboxCpuMicrosPerResolve: number;
  readonly ggcrCpuMicrosPerResolve: number;
  /** Median of agentbox / ggcr CPU per resolve of each round. */
  readonly cpuRatio: number;
}

/**
 * Uncached resolves per second of `createRegistryResolver` (a fresh resolver per round, no cache) against the Go
 * baseline (a fresh transport and Puller per round, `remote.Head` with `remote.Reuse`), same tags, same
 * concurrency, rounds alternating. Both sides must see the same digest for every tag.
 */
export async function measureCold(setup: ColdSetup, go: GoBaseline): Promise<ColdResult> {
  const expected = new Map<string, string>();
  const check = (ref: string, digest: string): void => {
    const known = expected.get(ref);
    if (known === undefined) expected.set(ref, digest);
    else if (known !== digest) throw new Error(`${ref} resolved to ${digest}, earlier to ${known}`);
  };

  const agentboxRound = async (requests: number): Promise<ColdRound> => {
    const resolver = createRegistryResolver({ proxy: false, env: {} });
    try {
      const cpu = process.cpuUsage();
      const seconds = await runConcurrently(requests, setup.concurrency, async (i) => {
        const ref = setup.references[i % setup.references.length]!;
        check(ref, await resolver.resolve(ref));
      });
      const used = process.cpuUsage(cpu);
      return { perSecond: requests / seconds, cpuMicrosPerResolve: (used.user + used.system) / requests };
    } finally {
      await resolver.close();
    }
  };

  const ggcrRound = async (requests: number): Promise<ColdRound> => {
    const answer = await go.round(setup.references, requests, setup.concurrency);
    for (const [ref, digest] of Object.entries(answer.digests)) check(ref, digest);
    return { perSecond: requests / answer.seconds, cpuMicrosPerResolve: answer.cpuMicros / requests };
  };

  // Warm-up (JIT, registry caches) on both sides, not measured.
  await ggcrRound(Math.min(500, setup.requests));
  await agentboxRound(Math.min(500, setup.requests));
  const agentbox: ColdRound[] = [];
  const ggcr: ColdRound[] = [];
  for (let round = 0; round < setup.rounds; round++) {
    // Alternate which side goes first so drift of the machine hits both alike.
    if (round % 2 === 0) {
      ggcr.push(await ggcrRound(setup.requests));
      agentbox.push(await agentboxRound(setup.requests));
    } else {
      agentbox.push(await agentboxRound(setup.requests));
      ggcr.push(await ggcrRound(setup.requests));
    }
  }
  // Ratios are taken per round, then the median: the machine's speed drifts between rounds (two cores shared
  // with the registry and whatever else runs), and a paired ratio cancels that drift.
  return {
    concurrency: setup.concurrency,
    requests: setup.requests,
    agentbox,
    ggcr,
    agentboxPerSecond: median(agentbox.map((r) => r.perSecond)),
    ggcrPerSecond: median(ggcr.map((r) => r.perSecond)),
    ratio: median(agentbox.map((r, i) => r.perSecond / ggcr[i]!.perSecond)),
    agentboxCpuMicrosPerResolve: median(agentbox.map((r) => r.cpuMicrosPerResolve)),
    ggcrCpuMicrosPerResolve: median(ggcr.map((r) => r.cpuMicrosPerResolve)),
    cpuRatio: median(agentbox.map((r, i) => r.cpuMicrosPerResolve / ggcr[i]!.cpuMicrosPerResolve)),
  };
}
