import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort, spawnControllerBin } from '@agentbox/testenv';

/** The two controllers the benchmark compares. */
export type ControllerKind = 'agentbox' | 'controller-runtime';

/** A controller running as its own process against the benchmark's API server. */
export interface ControllerProcess {
  kind: ControllerKind;
  pid: number;
  /** Resident set size now, from /proc. */
  rssBytes(): number;
  /** Heap in use, from the process's own metrics (Node: nodejs_heap_size_used_bytes; Go: go_memstats_heap_alloc_bytes). */
  heapBytes(): Promise<number>;
  /** Milliseconds from spawn until its caches were synced. */
  syncMs: number;
  stop(): Promise<void>;
}

/** Starts one controller scoped to `namespace` (all namespaces when empty) and waits until its caches are synced. */
export async function startControllerProcess(
  kind: ControllerKind,
  options: {
    kubeconfigPath: string;
    namespace?: string;
    goBinary: string;
    concurrency: number;
    cpuProfileDir?: string;
  },
): Promise<ControllerProcess> {
  const ns = options.namespace ? ['--namespace', options.namespace] : [];
  if (kind === 'agentbox') {
    const metricsPort = await freePort();
    const healthPort = await freePort();
    const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
    const started = performance.now();
    const bin = await spawnControllerBin({
      args: [
        '--kubeconfig',
        options.kubeconfigPath,
        ...ns,
        '--concurrency',
        String(options.concurrency),
        '--log-level',
        'warn',
      ],
      nodeArgs: profile,
      // BENCH_CONTROLLER_LOG=<file> keeps agentbox's warnings and errors (appended), for a figure to explain.
      logFile: process.env['BENCH_CONTROLLER_LOG'],
      metricsPort,
      healthPort,
    });
    return {
      kind,
      pid: bin.pid,
      syncMs: performance.now() - started,
      rssBytes: () => bin.rssBytes(),
      heapBytes: async () => metricValue((await bin.metricsText()) ?? '', 'nodejs_heap_size_used_bytes'),
      stop: () => bin.stop(),
    };
  }
  const metricsPort = await freePort();
  const started = performance.now();
  const child: ChildProcess = spawn(
    options.goBinary,
    [
      '--kubeconfig',
      options.kubeconfigPath,
      ...ns,
      '--concurrency',
      String(options.concurrency),
      '--metrics-bind-address',
      `127.0.0.1:${metricsPort}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    // Keep the start (a Go panic's reason).
    stderr = stderr.length < 4000 ? stderr + d.toString() : stderr;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('synced')) resolve();
    });
    void exited.then((code) => reject(new Error(`go baseline exited ${code}: ${stderr}`)));
  });
  const pid = child.pid ?? 0;
  return {
    kind,
    pid,
    syncMs: performance.now() - started,
    rssBytes: () =>
      Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024,
    async heapBytes() {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return metricValue(text, 'go_memstats_heap_alloc_bytes');
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}
