import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../internal/free-port.js';
import { forgetPid, rememberPid } from '../internal/process-reaper.js';

/** The built controller bin (`pnpm run build` makes it); the harness runs the real program, not its source. */
export const controllerBinPath = fileURLToPath(
  new URL('../../../controller/dist/bin/agentbox-controller.js', import.meta.url),
);

/** Options of spawnControllerBin. */
export interface SpawnControllerBinOptions {
  /** The bin's flags (`--kubeconfig`, `--namespace`, …); the metrics and health addresses are added. */
  args: readonly string[];
  /** Node's own flags, before the bin (e.g. `--cpu-prof`). */
  nodeArgs?: readonly string[];
  /** stdout and stderr are appended to this file; without one they are dropped (the end of stderr is kept for errors). */
  logFile?: string;
  /** Loopback ports; free ones by default. A restart passes the previous ones, so scrapers keep their address. */
  metricsPort?: number;
  healthPort?: number;
  /** How long /readyz may take to answer. Default: 120000 ms. */
  readyTimeoutMs?: number;
}

/** One running `agentbox-controller` process. */
export interface ControllerBin {
  readonly pid: number;
  readonly metricsPort: number;
  readonly healthPort: number;
  alive(): boolean;
  /** `code=… signal=…` once it exited; undefined while it runs. */
  exitStatus(): string | undefined;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  /** The body of its /metrics, or undefined when it does not answer. */
  metricsText(): Promise<string | undefined>;
  /** Resident set size from /proc (0 once it exited). */
  rssBytes(): number;
  /** SIGKILL; resolves when it is gone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 15 s; resolves when it is gone. */
  stop(): Promise<void>;
}

/**
 * Starts the built controller bin with its metrics and health probes on loopback ports and resolves once /readyz
 * answers (rejects, with the log's path or the end of stderr, if it exits first or is not ready in time). The
 * process is killed if the test process dies first.
 */
export async function spawnControllerBin(options: SpawnControllerBinOptions): Promise<ControllerBin> {
  if (!existsSync(controllerBinPath))
    throw new Error(`${controllerBinPath} is missing: run \`pnpm run build\` first`);
  const metricsPort = options.metricsPort ?? (await freePort());
  const healthPort = options.healthPort ?? (await freePort());
  const fd = options.logFile ? openSync(options.logFile, 'a') : undefined;
  let child: ChildProcess;
  try {
    child = spawn(
      process.execPath,
      [
        ...(options.nodeArgs ?? []),
        controllerBinPath,
        ...options.args,
        '--metrics-bind-address',
        `127.0.0.1:${metricsPort}`,
        '--health-probe-bind-address',
        `127.0.0.1:${healthPort}`,
      ],
      { stdio: ['ignore', fd ?? 'ignore', fd ?? 'pipe'] },
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const pid = child.pid ?? 0;
  if (pid) rememberPid(pid);
  let stderrTail = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderrTail = (stderrTail + d.toString()).slice(-4000);
  });
  let status: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      status = `code=${code} signal=${signal}`;
      forgetPid(pid);
      resolve();
    }),
  );
  const alive = () => status === undefined;
  const gone = async (signal: NodeJS.Signals, killAfterMs?: number) => {
    if (!alive()) return;
    child.kill(signal);
    const timer =
      killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    await exited;
    clearTimeout(timer);
  };
  const handle: ControllerBin = {
    pid,
    metricsPort,
    healthPort,
    alive,
    exitStatus: () => status,
    exited,
    async metricsText() {
      if (!alive()) return undefined;
      try {
        const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, {
          signal: AbortSignal.timeout(5_000),
        });
        return res.ok ? await res.text() : undefined;
      } catch {
        return undefined;
      }
    },
    rssBytes() {
      if (!alive()) return 0;
      try {
        return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
      } catch {
        return 0;
      }
    },
    kill: () => gone('SIGKILL'),
    stop: () => gone('SIGTERM', 15_000),
  };
  const where = () => (options.logFile ? `see ${options.logFile}` : stderrTail || 'no output');
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`agentbox-controller exited during start (${status}); ${where()}`);
    const ok = await fetch(`http://127.0.0.1:${healthPort}/readyz`, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return handle;
    await new Promise((r) => setTimeout(r, 25));
  }
  await handle.stop();
  throw new Error(
    `agentbox-controller was not ready after ${options.readyTimeoutMs ?? 120_000} ms; ${where()}`,
  );
}
