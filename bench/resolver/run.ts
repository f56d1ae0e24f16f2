// The resolver benchmark (`pnpm bench:resolver`): starts two real registries (Distribution and
// go-containerregistry's `crane registry serve`) and the Go baseline, measures agentbox against
// go-containerregistry and the cache's figures, prints tables, writes bench/results/resolver.json, and
// exits non-zero when a target is missed. Not part of the test suite.
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { createRegistryResolver } from '@agentbox/resolver-registry';
import {
  buildGgcrBinaries,
  type CraneRegistry,
  pushImage,
  type RegistryHandle,
  startCraneRegistry,
  startRegistry,
  type TestRegistry,
} from '@agentbox/testenv';
import { GoBaseline } from './go-baseline-process.js';
import { measureCached } from './measure-cached.js';
import { type ColdResult, measureCold } from './measure-cold.js';
import { type ConnectionsResult, measureConnections } from './measure-connections.js';
import { measureHeap } from './measure-heap.js';
import { measureSingleFlight } from './measure-single-flight.js';
import { type Figure, formatComparison, formatTable } from './report.js';

const TAGS = 32;
const REPOSITORY = 'bench/app';
const COLD = { requests: 2_000, rounds: 5, concurrencies: [1, 8, 32] };
const SEQUENTIAL = 1_000;
const CACHED = { resolvesPerRound: 2_000_000, rounds: 5 };
const CONCURRENT = 1_000;
const HEAP = { entries: 100_000, concurrency: 16 };
const MB = 1_000_000;
const RESULTS = new URL('../results/resolver.json', import.meta.url);

/** One registry under test: its name in the tables and its pushed tags. */
interface BenchRegistry {
  readonly name: string;
  readonly handle: RegistryHandle;
  readonly references: string[];
}

async function main(): Promise<number> {
  const log = (message: string): void => void process.stderr.write(`bench:resolver: ${message}\n`);
  let distribution: TestRegistry | undefined;
  let crane: CraneRegistry | undefined;
  let go: GoBaseline | undefined;
  const resolver = createRegistryResolver({ proxy: false, env: {} });
  try {
    log('building crane and the Go baseline (cached), starting docker-registry and crane registry');
    const binaries = await buildGgcrBinaries();
    [distribution, crane] = await Promise.all([
      startRegistry({ auth: 'none' }),
      startCraneRegistry({ binary: binaries.crane }),
    ]);
    go = new GoBaseline(binaries.goBaseline);
    const registries: BenchRegistry[] = [
      { name: 'Distribution 2.8.2', handle: distribution, references: [] },
      { name: "go-containerregistry's registry", handle: crane, references: [] },
    ];
    for (const registry of registries) {
      for (let i = 0; i < TAGS; i++) {
        const tag = `tag-${String(i).padStart(2, '0')}`;
        const image = await pushImage(registry.handle, { repository: REPOSITORY, tag, kind: 'docker-v2' });
        registry.references.push(image.reference);
      }
    }
    const target = distribution;
    const push = async (tag: string): Promise<string> =>
      (await pushImage(target, { repository: REPOSITORY, tag, kind: 'docker-v2' })).reference;

    const cold: { registry: string; results: ColdResult[]; connections: ConnectionsResult }[] = [];
    for (const registry of registries) {
      const results: ColdResult[] = [];
      for (const concurrency of COLD.concurrencies) {
        log(
          `${registry.name}: uncached, concurrency ${concurrency}, ${COLD.rounds} rounds × ${COLD.requests}`,
        );
        results.push(
          await measureCold(
            { references: registry.references, requests: COLD.requests, rounds: COLD.rounds, concurrency },
            go,
          ),
        );
      }
      log(`${registry.name}: connections for ${SEQUENTIAL} sequential resolves`);
      const connections = await measureConnections(
        registry.handle.host,
        registry.references[0]!,
        SEQUENTIAL,
        go,
      );
      cold.push({ registry: registry.name, results, connections });
    }
    const references = registries[0]!.references;
    log(`cached resolves: ${CACHED.rounds} rounds × ${CACHED.resolvesPerRound}`);
    const cached = await measureCached(resolver, references, CACHED.resolvesPerRound, CACHED.rounds);
    log(`${CONCURRENT} concurrent resolves of one uncached tag`);
    const flight = await measureSingleFlight(distribution.url, push, CONCURRENT);
    log(`heap of ${HEAP.entries} cached entries`);
    const heap = await measureHeap(resolver, references, HEAP.entries, HEAP.concurrency);

    const figures: Figure[] = [];
    let id = 1;
    for (const { registry, results, connections } of cold) {
      for (const r of results) {
        figures.push({
          id: id++,
          name: `uncached resolves/s, ${registry}, concurrency ${r.concurrency}`,
          value: Math.round(r.agentboxPerSecond),
          unit: '/s',
          target: '>= 1.0 × ggcr',
          pass: r.ratio >= 1,
          baseline: { name: 'ggcr remote.Head', value: Math.round(r.ggcrPerSecond), unit: '/s' },
          ratio: r.ratio,
        });
        figures.push({
          id: id++,
          name: `CPU per resolve, ${registry}, concurrency ${r.concurrency}`,
          value: Math.round(r.agentboxCpuMicrosPerResolve),
          unit: 'µs',
          target: '<= 1.5 × ggcr',
          pass: r.cpuRatio <= 1.5,
          baseline: { name: 'ggcr remote.Head', value: Math.round(r.ggcrCpuMicrosPerResolve), unit: 'µs' },
          ratio: r.cpuRatio,
        });
      }
      figures.push({
        id: id++,
        name: `TCP connections per ${SEQUENTIAL.toLocaleString('en-US')} sequential resolves, ${registry}`,
        value: connections.agentbox,
        unit: 'conn',
        target: '<= 2',
        pass: connections.agentbox <= 2,
        baseline: { name: 'ggcr remote.Head', value: connections.ggcr, unit: 'conn' },
        ratio: connections.agentbox / connections.ggcr,
      });
    }
    figures.push(
      {
        id: id++,
        name: 'cached resolves/s, withCache',
        value: Math.round(cached.cachedPerSecond),
        unit: '/s',
        target: '>= 1,000,000 /s',
        pass: cached.cachedPerSecond >= 1_000_000,
        baseline: { name: 'awaited Map.get', value: Math.round(cached.baselinePerSecond), unit: '/s' },
        ratio: cached.ratio,
      },
      {
        id: id++,
        name: `registry requests for ${CONCURRENT} concurrent resolves`,
        value: flight.registryRequests,
        unit: 'req',
        target: '== 1',
        pass: flight.registryRequests === 1 && flight.distinctDigests === 1,
        baseline: { name: 'same burst without cache', value: flight.baselineRequests, unit: 'req' },
        ratio: flight.registryRequests / flight.baselineRequests,
      },
      {
        id: id++,
        name: `heap per ${HEAP.entries.toLocaleString('en-US')} cached entries`,
        value: round(heap.cacheBytes / MB),
        unit: 'MB',
        target: '<= 40 MB',
        pass: heap.cacheBytes <= 40 * MB,
        baseline: { name: 'bare Map<string,string>', value: round(heap.baselineBytes / MB), unit: 'MB' },
        ratio: heap.ratio,
      },
    );
    const comparison = cold.flatMap(({ registry, results, connections }) =>
      results.map((r) => ({
        registry,
        concurrency: r.concurrency,
        ratio: r.ratio,
        agentboxPerSecond: r.agentboxPerSecond,
        ggcrPerSecond: r.ggcrPerSecond,
        connections,
        agentboxCpuMicros: r.agentboxCpuMicrosPerResolve,
        ggcrCpuMicros: r.ggcrCpuMicrosPerResolve,
      })),
    );
    const results = {
      benchmark: 'resolver',
      date: new Date().toISOString(),
      command: 'pnpm bench:resolver',
      environment: {
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        loadAverageAtEnd: loadavg(),
        registries: [
          'docker-registry 2.8.2 (CNCF Distribution, Debian) on 127.0.0.1, no auth, filesystem storage',
          'crane registry serve (go-containerregistry v0.22.1) on 127.0.0.1, in memory',
        ],
        baseline:
          'bench/resolver/go-baseline: go-containerregistry v0.22.1 remote.Head with remote.Reuse(Puller)',
      },
      parameters: {
        tags: TAGS,
        cold: COLD,
        sequential: SEQUENTIAL,
        cached: CACHED,
        concurrent: CONCURRENT,
        heap: HEAP,
        mb: MB,
      },
      comparison,
      figures,
      details: { cold, cached, singleFlight: flight, heap },
      pass: figures.every((f) => f.pass),
    };
    await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(
      `${formatComparison(comparison)}\n\n${formatTable(figures)}\n\nwritten: bench/results/resolver.json\n`,
    );
    return results.pass ? 0 : 1;
  } finally {
    await resolver.close();
    await go?.stop();
    await Promise.all([distribution?.stop(), crane?.stop()]);
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
