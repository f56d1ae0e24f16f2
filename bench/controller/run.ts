// The controller benchmark (`pnpm bench:controller`): agentbox's controller and a controller-runtime v0.25.2
// baseline doing the same completion job, side by side against one real kube-apiserver + etcd, the kubelet
// simulator (pull delay 0) and a real registry, in alternating rounds. Prints a table, writes
// bench/results/controller.json and a CPU profile of agentbox's controller under the 200-claim burst.
// Not part of the test suite.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKubeClient, createSandboxClient, podsPath } from '@agentbox/controller';
import {
  agentboxCrdFiles,
  buildK8sBinaries,
  createTestNamespace,
  installCrds,
  pushImage,
  startControlPlane,
  startKubeletSimulator,
  startRegistry,
} from '@agentbox/testenv';
import { auditArgs } from './audit-log.js';
import { type ControllerKind, startControllerProcess } from './controller-process.js';
import { topSelfTime } from './cpu-profile.js';
import { type ClaimRound, createPool, measureClaimRound, poolObject } from './measure-claims.js';
import { type MemoryRound, measureMemory } from './measure-memory.js';
import { median, percentile, round } from './stats.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const only = process.env['BENCH_ONLY'];
const SKIP_MEMORY = process.env['BENCH_SKIP_MEMORY'] === '1';
const SEQUENTIAL = 20;
const CONCURRENT = 200;
const CONCURRENCY = 8;
// agentbox runs its per-pod completions on a lane of their own (`--completion-concurrency`, default 32) beside
// the 8 pool workers; the baseline gets as many workers in all, so both may have 40 reconciles in flight.
const COMPLETION_CONCURRENCY = 32;
const MEMORY = { pools: 10, podsPerPool: 1_000, steadyMs: Number(process.env['BENCH_STEADY_MS'] ?? 60_000) };
const root = fileURLToPath(new URL('../../', import.meta.url));
const results = join(root, 'bench', 'results');
const CONTROLLER_UA = { agentbox: 'agentbox-controller', 'controller-runtime': 'go-baseline' } as const;
const CLAIMER_UA = 'agentbox-sandbox-client';
const MiB = 1024 * 1024;

const log = (message: string): void => void process.stderr.write(`bench:controller: ${message}\n`);

async function main(): Promise<number> {
  const goBinary = execFileSync(join(root, 'bench/controller/build-go-baseline.sh'), {
    encoding: 'utf8',
  }).trim();
  const work = mkdtempSync(join(tmpdir(), 'agentbox-bench-controller-'));
  const audit = auditArgs(work);
  const binaries = await buildK8sBinaries();
  log('starting etcd + kube-apiserver (with an audit log) and a registry');
  const cp = await startControlPlane({ binDir: binaries.dir, extraApiServerArgs: audit.args });
  const registry = await startRegistry({ auth: 'none' });
  const kube = await createKubeClient(cp.kubeConfig, { userAgent: 'agentbox-bench' });
  try {
    await installCrds(cp.kubeConfig, agentboxCrdFiles());
    const idle = await pushImage(registry, { repository: 'bench/idle', tag: 'v1' });
    const client = createSandboxClient({ kubeConfig: cp.kubeConfig, kube: { userAgent: CLAIMER_UA } });

    // Figures 1 and 2: alternating rounds, each in a namespace of its own with its own node. The CPU profile
    // comes from one more agentbox round that no figure counts: --cpu-prof slows the process it profiles.
    async function claimRound(kind: ControllerKind, name: string, profileDir?: string): Promise<ClaimRound> {
      const namespace = await createTestNamespace(
        cp.kubeConfig,
        `bench-${kind === 'agentbox' ? 'ab' : 'cr'}-${name}`,
      );
      const app = await pushImage(registry, { repository: 'bench/app', tag: `${name}-${kind}` });
      const node = await startKubeletSimulator(cp.kubeConfig, { namespace, pullDelayMs: 0 });
      if (profileDir) rmSync(profileDir, { recursive: true, force: true });
      const total = SEQUENTIAL + CONCURRENT;
      await createPool(
        kube,
        namespace,
        poolObject('bench', namespace, kind === 'agentbox' ? total : 0, idle.reference),
      );
      const proc = await startControllerProcess(kind, {
        kubeconfigPath: cp.kubeconfigPath,
        namespace,
        goBinary,
        concurrency: kind === 'agentbox' ? CONCURRENCY : CONCURRENCY + COMPLETION_CONCURRENCY,
        ...(profileDir ? { cpuProfileDir: profileDir } : {}),
      });
      try {
        log(`round ${name} ${kind}: ${SEQUENTIAL} claims one at a time, then ${CONCURRENT} at once`);
        const round = await measureClaimRound({
          kind,
          kube,
          kubeconfigPath: cp.kubeconfigPath,
          client,
          namespace,
          pool: 'bench',
          idleImage: idle.reference,
          image: app.reference,
          targetDigest: app.digest,
          sequential: SEQUENTIAL,
          concurrent: CONCURRENT,
          auditLog: audit.logPath,
          controllerUserAgent: CONTROLLER_UA[kind],
          claimerUserAgent: CLAIMER_UA,
          createIdlePods: kind !== 'agentbox',
        });
        log(
          `  reaction p50 ${round1(median(round.concurrentReactionsMs))} ms, 200 claims → running ${round1(round.concurrentWallMs)} ms`,
        );
        return round;
      } finally {
        await proc.stop();
        await node.stop();
      }
    }

    const rounds: ClaimRound[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const alternating: ControllerKind[] =
        r % 2 === 0 ? ['agentbox', 'controller-runtime'] : ['controller-runtime', 'agentbox'];
      // BENCH_ONLY=agentbox|controller-runtime runs one side (for profiling); a comparison needs both.
      for (const kind of alternating.filter((k) => !only || k === only)) {
        rounds.push(await claimRound(kind, `${r + 1}of${ROUNDS}`));
      }
    }
    if (only !== 'controller-runtime') {
      const profileDir = join(results, 'controller-profile.tmp');
      await claimRound('agentbox', 'profile', profileDir);
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      if (file) renameSync(join(profileDir, file), join(results, 'controller-profile.cpuprofile'));
      rmSync(profileDir, { recursive: true, force: true });
    }

    async function memoryFigures(): Promise<{ memory: MemoryRound[]; scaleUpMs: number }> {
      // Figure 3: 10,000 pool pods made by agentbox's controller, then each controller's cache of them.
      const memNamespace = await createTestNamespace(cp.kubeConfig, 'bench-mem');
      const pods = MEMORY.pools * MEMORY.podsPerPool;
      log(`figure 3: ${pods} pool pods in ${MEMORY.pools} pools (made by agentbox's controller)`);
      for (let p = 0; p < MEMORY.pools; p++) {
        await createPool(
          kube,
          memNamespace,
          poolObject(`mem-${p}`, memNamespace, MEMORY.podsPerPool, idle.reference),
        );
      }
      const maker = await startControllerProcess('agentbox', {
        kubeconfigPath: cp.kubeconfigPath,
        namespace: memNamespace,
        goBinary,
        concurrency: CONCURRENCY,
      });
      const scaleStart = performance.now();
      try {
        for (;;) {
          const list = await kube.request<{ items: unknown[] }>({
            path: podsPath(memNamespace),
            query: { resourceVersion: '0' },
          });
          if (list.items.length >= pods) break;
          await new Promise((r) => setTimeout(r, 1_000));
        }
      } finally {
        await maker.stop();
      }
      const scaleUpMs = performance.now() - scaleStart;
      log(`  created in ${round1(scaleUpMs / 1000)} s`);
      const memory: MemoryRound[] = [];
      for (const kind of ['agentbox', 'controller-runtime', 'agentbox', 'controller-runtime'] as const) {
        log(`  ${kind}: sync, then ${MEMORY.steadyMs / 1000} s steady`);
        memory.push(
          await measureMemory({
            kind,
            kube,
            pods,
            kubeconfigPath: cp.kubeconfigPath,
            goBinary,
            concurrency: CONCURRENCY,
            steadyMs: MEMORY.steadyMs,
          }),
        );
      }
      return { memory, scaleUpMs };
    }

    const { memory, scaleUpMs } = SKIP_MEMORY
      ? { memory: [] as MemoryRound[], scaleUpMs: Number.NaN }
      : await memoryFigures();

    const report = summarise(rounds, memory, scaleUpMs);
    const top = (() => {
      try {
        return topSelfTime(join(results, 'controller-profile.cpuprofile'), 10);
      } catch {
        return [];
      }
    })();
    mkdirSync(results, { recursive: true });
    writeFileSync(
      join(results, 'controller.json'),
      `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), ...report, profileTop: top, rounds, memory }, null, 2)}\n`,
    );
    printTable(report.figures);
    if (top.length) {
      console.log('\nCPU profile of agentbox-controller under the 200-claim burst (self time, top 10):');
      for (const t of top) console.log(`  ${(t.share * 100).toFixed(1).padStart(5)} %  ${t.name}`);
    }
    return report.figures.every((f) => f.pass) ? 0 : 1;
  } finally {
    await kube.close();
    await registry.stop();
    await cp.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

interface Figure {
  name: string;
  agentbox: number;
  baseline: number;
  unit: string;
  ratio: number;
  target: string;
  pass: boolean;
}

function summarise(rounds: ClaimRound[], memory: MemoryRound[], scaleUpMs: number) {
  const of = (kind: ControllerKind) => rounds.filter((r) => r.kind === kind);
  const all = (kind: ControllerKind, pick: (r: ClaimRound) => number[]) => of(kind).flatMap(pick);
  const med = (kind: ControllerKind, pick: (r: ClaimRound) => number) => median(of(kind).map(pick));
  const memOf = (kind: ControllerKind, pick: (m: MemoryRound) => number) =>
    median(memory.filter((m) => m.kind === kind).map(pick));
  const f = (
    name: string,
    pick: (kind: ControllerKind) => number,
    unit: string,
    target: string,
    pass: (a: number, b: number) => boolean,
  ): Figure => {
    const a = pick('agentbox');
    const b = pick('controller-runtime');
    return {
      name,
      agentbox: round(a, 2),
      baseline: round(b, 2),
      unit,
      ratio: round(a / b, 2),
      target,
      pass: pass(a, b),
    };
  };
  const perClaim = (kind: ControllerKind, pick: (r: ClaimRound) => number) =>
    med(kind, (r) => pick(r) / r.concurrentClaims);
  const figures: Figure[] = [
    f(
      'reaction p50, 1 claim at a time',
      (k) =>
        percentile(
          all(k, (r) => r.sequentialReactionsMs),
          50,
        ),
      'ms',
      '≤ 50 ms, ≤ 1.0× baseline',
      (a, b) => a <= 50 && a <= b,
    ),
    f(
      'reaction p99, 1 claim at a time',
      (k) =>
        percentile(
          all(k, (r) => r.sequentialReactionsMs),
          99,
        ),
      'ms',
      '≤ 250 ms',
      (a) => a <= 250,
    ),
    f(
      'reaction p50, 200 concurrent claims',
      (k) =>
        percentile(
          all(k, (r) => r.concurrentReactionsMs),
          50,
        ),
      'ms',
      '≤ 50 ms, ≤ 1.0× baseline',
      (a, b) => a <= 50 && a <= b,
    ),
    f(
      'reaction p99, 200 concurrent claims',
      (k) =>
        percentile(
          all(k, (r) => r.concurrentReactionsMs),
          99,
        ),
      'ms',
      '≤ 250 ms, ≤ 1.0× baseline',
      (a, b) => a <= 250 && a <= b,
    ),
    f(
      'reaction max, 200 concurrent claims',
      (k) => Math.max(...all(k, (r) => r.concurrentReactionsMs)),
      'ms',
      'reported',
      () => true,
    ),
    f(
      '200 claims → all running',
      (k) => med(k, (r) => r.concurrentWallMs / 1000),
      's',
      '≤ 10 s',
      (a) => a <= 10,
    ),
    f(
      'claims/s (200 at once)',
      (k) => med(k, (r) => r.concurrentClaims / (r.concurrentWallMs / 1000)),
      '/s',
      'reported',
      () => true,
    ),
    f(
      'pod writes per claim→running (claim + controller)',
      (k) => perClaim(k, (r) => r.claimer.podWrites + r.controller.podWrites),
      '',
      '2',
      (a) => a <= 2.05,
    ),
    f(
      'API requests per claim→running (claim + controller)',
      (k) => perClaim(k, (r) => r.claimer.requests + r.controller.requests),
      '',
      '≤ 5',
      (a) => a <= 5,
    ),
    f(
      'controller pod writes per claim→running',
      (k) => perClaim(k, (r) => r.controller.podWrites),
      '',
      'reported (the completing write)',
      () => true,
    ),
    f(
      'controller API requests per claim→running',
      (k) => perClaim(k, (r) => r.controller.requests),
      '',
      'reported (completion, pool status, Events)',
      () => true,
    ),
    f(
      'claimer API requests per claim',
      (k) => perClaim(k, (r) => r.claimer.requests),
      '',
      'reported (LIST + GET + PUT at most)',
      () => true,
    ),
    f(
      `RSS with ${memory[0]?.pods ?? 0} pool pods`,
      (k) => memOf(k, (m) => m.rssBytes / MiB),
      'MiB',
      '≤ 150 MiB, ≤ 1.0× baseline',
      (a, b) => a <= 150 && a <= b,
    ),
    f(
      `heap with ${memory[0]?.pods ?? 0} pool pods`,
      (k) => memOf(k, (m) => m.heapBytes / MiB),
      'MiB',
      'reported',
      () => true,
    ),
    f(
      `time to sync ${memory[0]?.pods ?? 0} pool pods`,
      (k) => memOf(k, (m) => m.syncMs / 1000),
      's',
      'reported',
      () => true,
    ),
  ];
  return { figures, scaleUpSeconds: round(scaleUpMs / 1000) };
}

function printTable(figures: Figure[]): void {
  const rows = [
    ['figure', 'agentbox', 'controller-runtime', 'ratio', 'target', 'met'],
    ...figures.map((f) => [
      f.name,
      `${f.agentbox}${f.unit ? ` ${f.unit}` : ''}`,
      `${f.baseline}${f.unit ? ` ${f.unit}` : ''}`,
      String(f.ratio),
      f.target,
      f.pass ? 'yes' : 'NO',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('   '));
}

function machine(): object {
  return { node: process.version, cpus: (execFileSync('nproc', { encoding: 'utf8' }) || '').trim() };
}

function round1(v: number): number {
  return round(v, 1);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
