// The resolver benchmark (`pnpm bench:resolver`): starts its own real registry, measures
// the four figures of issue 3, prints a table, writes bench/results/resolver.json, and
// exits non-zero when a target is missed. Not part of the test suite.
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { createRegistryResolver } from '@agentbox/resolver-registry';
import { pushImage, startRegistry, type TestRegistry } from '@agentbox/testenv';
import { measureCached } from './measure-cached.js';
import { measureCold } from './measure-cold.js';
import { measureHeap } from './measure-heap.js';
import { measureSingleFlight } from './measure-single-flight.js';
import { type Figure, formatTable } from './report.js';

const TAGS = 32;
const REPOSITORY = 'bench/app';
const COLD = { requests: 2_000, concurrency: 16, rounds: 7 };
const CACHED = { resolvesPerRound: 2_000_000, rounds: 5 };
const CONCURRENT = 1_000;
const HEAP = { entries: 100_000, concurrency: 16 };
const MB = 1_000_000;
const RESULTS = new URL('../results/resolver.json', import.meta.url);

async function main(): Promise<number> {
  const log = (message: string): void => void process.stderr.write(`bench:resolver: ${message}\n`);
  let registry: TestRegistry | undefined;
  const resolver = createRegistryResolver({ proxy: false, env: {} });
  try {
    log('starting docker-registry');
    registry = await startRegistry({ auth: 'none' });
    const target = registry;
    const push = async (tag: string): Promise<string> =>
      (await pushImage(target, { repository: REPOSITORY, tag, kind: 'docker-v2' })).reference;
    const references: string[] = [];
    for (let i = 0; i < TAGS; i++) references.push(await push(`tag-${String(i).padStart(2, '0')}`));

    log(`1/4 cold resolves: ${COLD.rounds} rounds × ${COLD.requests} at concurrency ${COLD.concurrency}`);
    const cold = await measureCold({ registryUrl: registry.url, references, ...COLD });
    log(`2/4 cached resolves: ${CACHED.rounds} rounds × ${CACHED.resolvesPerRound}`);
    const cached = await measureCached(resolver, references, CACHED.resolvesPerRound, CACHED.rounds);
    log(`3/4 ${CONCURRENT} concurrent resolves of one uncached tag`);
    const flight = await measureSingleFlight(registry.url, push, CONCURRENT);
    log(`4/4 heap of ${HEAP.entries} cached entries`);
    const heap = await measureHeap(resolver, references, HEAP.entries, HEAP.concurrency);

    const figures: Figure[] = [
      {
        id: 1,
        name: 'cold resolves/s, createRegistryResolver',
        value: Math.round(cold.resolverPerSecond),
        unit: '/s',
        target: '>= 0.8 × baseline',
        pass: cold.ratio >= 0.8,
        baseline: { name: 'bare undici HEAD loop', value: Math.round(cold.baselinePerSecond), unit: '/s' },
        ratio: cold.ratio,
      },
      {
        id: 2,
        name: 'cached resolves/s, withCache',
        value: Math.round(cached.cachedPerSecond),
        unit: '/s',
        target: '>= 1,000,000 /s',
        pass: cached.cachedPerSecond >= 1_000_000,
        baseline: { name: 'awaited Map.get', value: Math.round(cached.baselinePerSecond), unit: '/s' },
        ratio: cached.ratio,
      },
      {
        id: 3,
        name: `registry requests for ${CONCURRENT} concurrent resolves`,
        value: flight.registryRequests,
        unit: 'req',
        target: '== 1',
        pass: flight.registryRequests === 1 && flight.distinctDigests === 1,
        baseline: { name: 'same burst without cache', value: flight.baselineRequests, unit: 'req' },
        ratio: flight.registryRequests / flight.baselineRequests,
      },
      {
        id: 4,
        name: `heap per ${HEAP.entries.toLocaleString('en-US')} cached entries`,
        value: round(heap.cacheBytes / MB),
        unit: 'MB',
        target: '<= 40 MB',
        pass: heap.cacheBytes <= 40 * MB,
        baseline: { name: 'bare Map<string,string>', value: round(heap.baselineBytes / MB), unit: 'MB' },
        ratio: heap.ratio,
      },
    ];
    const results = {
      benchmark: 'resolver',
      date: new Date().toISOString(),
      command: 'pnpm bench:resolver',
      environment: {
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        registry: 'docker-registry (CNCF Distribution), Debian, on 127.0.0.1, no auth',
      },
      parameters: { tags: TAGS, cold: COLD, cached: CACHED, concurrent: CONCURRENT, heap: HEAP, mb: MB },
      figures,
      details: { cold, cached, singleFlight: flight, heap },
      pass: figures.every((f) => f.pass),
    };
    await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${formatTable(figures)}\n\nwritten: bench/results/resolver.json\n`);
    return results.pass ? 0 : 1;
  } finally {
    await resolver.close();
    await registry?.stop();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `bench:resolver failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 2;
  },
);
