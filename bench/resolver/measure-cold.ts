import { createRegistryResolver, MANIFEST_ACCEPT } from '@agentbox/resolver-registry';
import { Agent, request } from 'undici';
import { median, runConcurrently } from './run-concurrently.js';

/** Setup of figure 1. */
export interface ColdSetup {
  /** `http://127.0.0.1:<port>` of the registry. */
  readonly registryUrl: string;
  /** `127.0.0.1:<port>/<repository>:<tag>` of every pushed tag. */
  readonly references: readonly string[];
  /** Resolves per round. */
  readonly requests: number;
  /** Resolves in flight at once, the same for both sides. */
  readonly concurrency: number;
  /** Measured rounds per side, alternated (baseline, resolver, baseline, …). */
  readonly rounds: number;
}

/** Figure 1's result: rates per round of each side, their medians, and the median paired ratio. */
export interface ColdResult {
  readonly resolverRates: readonly number[];
  readonly baselineRates: readonly number[];
  /** resolver / baseline of each round (the two sides of a round run back to back). */
  readonly roundRatios: readonly number[];
  readonly resolverPerSecond: number;
  readonly baselinePerSecond: number;
  /** The median of `roundRatios`. */
  readonly ratio: number;
  /** Median CPU time this process spent per request (user + system, µs), each side: the client's own cost. */
  readonly resolverCpuMicrosPerRequest: number;
  readonly baselineCpuMicrosPerRequest: number;
}

/** One measured round: its rate and the CPU this process spent per request. */
interface Round {
  readonly perSecond: number;
  readonly cpuMicrosPerRequest: number;
}

async function timedRound(
  requests: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
): Promise<Round> {
  const cpu = process.cpuUsage();
  const seconds = await runConcurrently(requests, concurrency, task);
  const used = process.cpuUsage(cpu);
  return { perSecond: requests / seconds, cpuMicrosPerRequest: (used.user + used.system) / requests };
}

/**
 * Figure 1: cold resolves per second of `createRegistryResolver` (a fresh resolver per
 * round, no cache) against a bare undici HEAD loop (a fresh Agent per round) over the same
 * tags with the same concurrency: the wire's limit on this machine.
 */
export async function measureCold(setup: ColdSetup): Promise<ColdResult> {
  const urls = setup.references.map((ref) => {
    const slash = ref.indexOf('/');
    const colon = ref.lastIndexOf(':');
    return `${setup.registryUrl}/v2/${ref.slice(slash + 1, colon)}/manifests/${ref.slice(colon + 1)}`;
  });
  const expected = new Map<string, string>();

  const resolverRound = async (requests: number): Promise<Round> => {
    const resolver = createRegistryResolver({ proxy: false, env: {} });
    try {
      return await timedRound(requests, setup.concurrency, async (i) => {
        const ref = setup.references[i % setup.references.length]!;
        const digest = await resolver.resolve(ref);
        check(expected, ref, digest);
      });
    } finally {
      await resolver.close();
    }
  };

  const baselineRound = async (requests: number): Promise<Round> => {
    const dispatcher = new Agent();
    try {
      return await timedRound(requests, setup.concurrency, async (i) => {
        const n = i % urls.length;
        const res = await request(urls[n]!, {
          method: 'HEAD',
          headers: { accept: MANIFEST_ACCEPT },
          dispatcher,
        });
        await res.body.dump();
        const digest = res.headers['docker-content-digest'];
        if (res.statusCode !== 200 || typeof digest !== 'string') {
          throw new Error(`baseline HEAD ${urls[n]} answered ${res.statusCode}`);
        }
        check(expected, setup.references[n]!, digest);
      });
    } finally {
      await dispatcher.close();
    }
  };

  // Warm-up (JIT, registry caches) on both sides, not measured.
  await baselineRound(Math.min(500, setup.requests));
  await resolverRound(Math.min(500, setup.requests));
  const baselineRounds: Round[] = [];
  const resolverRounds: Round[] = [];
  for (let round = 0; round < setup.rounds; round++) {
    // Alternate which side goes first so drift of the machine hits both alike.
    if (round % 2 === 0) {
      baselineRounds.push(await baselineRound(setup.requests));
      resolverRounds.push(await resolverRound(setup.requests));
    } else {
      resolverRounds.push(await resolverRound(setup.requests));
      baselineRounds.push(await baselineRound(setup.requests));
    }
  }
  const resolverRates = resolverRounds.map((r) => r.perSecond);
  const baselineRates = baselineRounds.map((r) => r.perSecond);
  // The ratio is taken per round, then the median: the machine's speed drifts between
  // rounds (two cores shared with the registry and whatever else runs), and a paired
  // ratio cancels that drift where a ratio of medians taken from different rounds would not.
  const roundRatios = resolverRates.map((rate, i) => rate / baselineRates[i]!);
  return {
    resolverRates,
    baselineRates,
    roundRatios,
    resolverPerSecond: median(resolverRates),
    baselinePerSecond: median(baselineRates),
    ratio: median(roundRatios),
    resolverCpuMicrosPerRequest: median(resolverRounds.map((r) => r.cpuMicrosPerRequest)),
    baselineCpuMicrosPerRequest: median(baselineRounds.map((r) => r.cpuMicrosPerRequest)),
  };
}

/** Both sides must see the same digest for a tag: a benchmark of wrong answers measures nothing. */
function check(expected: Map<string, string>, ref: string, digest: string): void {
  const known = expected.get(ref);
  if (known === undefined) expected.set(ref, digest);
  else if (known !== digest) throw new Error(`${ref} resolved to ${digest}, earlier to ${known}`);
}
