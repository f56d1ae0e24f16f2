import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

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

const root = fileURLToPath(new URL('../../', import.meta.url));
const agentboxBin = `${root}packages/controller/dist/bin/agentbox-controller.js`;

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
  const metricsPort = await freePort();
  const healthPort = await freePort();
  const ns = options.namespace ? ['--namespace', options.namespace] : [];
  const logPath = process.env['BENCH_CONTROLLER_LOG'];
  const logFd = logPath ? openSync(logPath, 'a') : undefined;
  let child: ChildProcess;
  const started = performance.now();
  if (kind === 'agentbox') {
    if (!existsSync(agentboxBin)) throw new Error(`${agentboxBin} is missing: run \`pnpm run build\` first`);
    const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
    child = spawn(
      process.execPath,
      [
        ...profile,
        agentboxBin,
        '--kubeconfig',
        options.kubeconfigPath,
        ...ns,
        '--concurrency',
        String(options.concurrency),
        '--metrics-bind-address',
        `127.0.0.1:${metricsPort}`,
        '--health-probe-bind-address',
        `127.0.0.1:${healthPort}`,
        '--log-level',
        'warn',
      ],
      // BENCH_CONTROLLER_LOG=<file> keeps agentbox's warnings and errors (appended), for a figure to explain.
      { stdio: ['ignore', logFd ?? 'ignore', 'pipe'] },
    );
  } else {
    child = spawn(
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
  }
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    // Keep the start (a Go panic's reason) and the end.
    stderr = stderr.length < 4000 ? stderr + d.toString() : stderr;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (kind === 'agentbox') {
    await until(
      async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).ok,
      exited,
      () => stderr,
    );
  } else {
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('synced')) resolve();
      });
      void exited.then((code) => reject(new Error(`go baseline exited ${code}: ${stderr}`)));
    });
  }
  const syncMs = performance.now() - started;
  const pid = child.pid ?? 0;
  return {
    kind,
    pid,
    syncMs,
    rssBytes: () =>
      Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024,
    async heapBytes() {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const name = kind === 'agentbox' ? 'nodejs_heap_size_used_bytes' : 'go_memstats_heap_alloc_bytes';
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      return Number(line?.split(' ')[1] ?? Number.NaN);
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

async function until(
  probe: () => Promise<boolean>,
  exited: Promise<number | null>,
  logs: () => string,
): Promise<void> {
  let dead: number | null | undefined;
  void exited.then((code) => {
    dead = code;
  });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (dead !== undefined) throw new Error(`controller exited ${dead}: ${logs()}`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`controller not ready after 120 s: ${logs()}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}
