import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = `${root}packages/controller/dist/bin/agentbox-controller.js`;

/** One `agentbox-controller` replica (a real process) that the runner can SIGKILL and start again on the same ports. */
export interface ControllerReplica {
  readonly name: string;
  readonly logFile: string;
  pid(): number;
  alive(): boolean;
  /** `agentbox_leader` from its /metrics (false when it does not answer). */
  isLeader(): Promise<boolean>;
  /** The body of its /metrics ('' when it does not answer). */
  metricsText(): Promise<string>;
  rssBytes(): number;
  /** SIGKILL; the exit is recorded as expected. */
  kill(): Promise<void>;
  /** Starts the process again and waits for /readyz. */
  start(): Promise<void>;
  /** Exits the runner did not cause (`code`/`signal` and the time). */
  unexpectedExits(): string[];
  /** SIGTERM and wait. */
  stop(): Promise<void>;
}

/** Makes a replica (not started yet) whose stdout and stderr are appended to `logFile`. */
export async function createControllerReplica(options: {
  name: string;
  kubeconfigPath: string;
  namespace: string;
  logFile: string;
}): Promise<ControllerReplica> {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm run build\` first`);
  const metricsPort = await freePort();
  const healthPort = await freePort();
  let child: ChildProcess | undefined;
  let expectExit = false;
  let exited: Promise<void> = Promise.resolve();
  const unexpected: string[] = [];
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const metricsText = async (): Promise<string> => {
    if (!alive()) return '';
    try {
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, {
        signal: AbortSignal.timeout(2_000),
      });
      return await res.text();
    } catch {
      return '';
    }
  };
  return {
    name: options.name,
    logFile: options.logFile,
    pid: () => child?.pid ?? 0,
    alive,
    async isLeader() {
      return /^agentbox_leader(\{[^}]*\})? 1$/m.test(await metricsText());
    },
    metricsText,
    rssBytes() {
      if (!alive()) return 0;
      try {
        const status = readFileSync(`/proc/${child?.pid}/status`, 'utf8');
        return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      } catch {
        return 0;
      }
    },
    async kill() {
      if (!alive()) return;
      expectExit = true;
      child?.kill('SIGKILL');
      await exited;
    },
    async start() {
      if (alive()) return;
      expectExit = false;
      const fd = openSync(options.logFile, 'a');
      try {
        child = spawn(
          process.execPath,
          [
            bin,
            '--kubeconfig',
            options.kubeconfigPath,
            '--namespace',
            options.namespace,
            '--leader-elect',
            '--leader-election-namespace',
            options.namespace,
            '--metrics-bind-address',
            `127.0.0.1:${metricsPort}`,
            '--health-probe-bind-address',
            `127.0.0.1:${healthPort}`,
            '--log-level',
            'info',
          ],
          { stdio: ['ignore', fd, fd] },
        );
      } finally {
        closeSync(fd);
      }
      const proc = child;
      exited = new Promise<void>((resolve) =>
        proc.once('exit', (code, signal) => {
          if (!expectExit)
            unexpected.push(
              `${new Date().toISOString()} ${options.name} exited code=${code} signal=${signal}`,
            );
          resolve();
        }),
      );
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        if (!alive()) throw new Error(`${options.name} exited during start`);
        const ok = await fetch(`http://127.0.0.1:${healthPort}/readyz`, {
          signal: AbortSignal.timeout(2_000),
        })
          .then((r) => r.ok)
          .catch(() => false);
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${options.name} not ready after 120 s`);
    },
    unexpectedExits: () => [...unexpected],
    async stop() {
      if (!alive()) return;
      expectExit = true;
      child?.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
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
