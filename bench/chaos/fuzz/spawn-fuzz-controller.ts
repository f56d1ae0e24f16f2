import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = `${root}packages/controller/dist/bin/agentbox-controller.js`;

/** One real `agentbox-controller` process scoped to a namespace, without leader election. */
export interface FuzzController {
  readonly logFile: string;
  /** How it exited, when it did (`code=… signal=…`); undefined while it runs. */
  exit(): string | undefined;
  /** The text of its /metrics, or undefined when it does not answer. */
  metrics(): Promise<string | undefined>;
  /** SIGTERM, then SIGKILL after 15 s; resolves when it is gone. */
  stop(): Promise<void>;
}

/**
 * Starts the built controller bin (`pnpm run build` first) with `--namespace`, metrics and health probes on
 * free loopback ports, its stdout and stderr appended to `logFile`; resolves once /readyz answers.
 */
export async function spawnFuzzController(options: {
  kubeconfigPath: string;
  namespace: string;
  logFile: string;
}): Promise<FuzzController> {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm run build\` first`);
  const metricsPort = await freePort();
  const healthPort = await freePort();
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      process.execPath,
      [
        bin,
        '--kubeconfig',
        options.kubeconfigPath,
        '--namespace',
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
  let exited: string | undefined;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `code=${code} signal=${signal}`;
      resolve();
    }),
  );
  let stopping = false;
  const handle: FuzzController = {
    logFile: options.logFile,
    exit: () => (stopping ? undefined : exited),
    async metrics() {
      try {
        const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, {
          signal: AbortSignal.timeout(5_000),
        });
        return res.ok ? await res.text() : undefined;
      } catch {
        return undefined;
      }
    },
    async stop() {
      if (exited !== undefined) return;
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (exited !== undefined)
      throw new Error(`the controller exited during start (${exited}); see ${options.logFile}`);
    const ok = await fetch(`http://127.0.0.1:${healthPort}/readyz`, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return handle;
    await new Promise((r) => setTimeout(r, 100));
  }
  await handle.stop();
  throw new Error(`the controller was not ready after 120 s; see ${options.logFile}`);
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
