import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../internal/free-port.js';
import { forgetPid, rememberPid } from '../internal/process-reaper.js';
import { buildGgcrBinaries } from './build-ggcr-binaries.js';
import { forgetDirectory, trackDirectory } from './internal/exit-cleanup.js';
import { probeHttp } from './internal/registry-probe.js';
import type { RegistryHandle } from './registry-handle.js';
import { RegistryHarnessError } from './registry-harness-error.js';

/** Options of `startCraneRegistry`. */
export interface StartCraneRegistryOptions {
  /** Path of `crane`. Default: the one `tools/ggcr/build.sh` builds (and caches). */
  readonly binary?: string;
  /** How long to wait for `GET /v2/` to answer, in ms. Default: 20000. */
  readonly startTimeoutMs?: number;
}

/** A running `crane registry serve` (go-containerregistry's in-memory registry) on 127.0.0.1, no auth. */
export interface CraneRegistry extends RegistryHandle {
  readonly auth: 'none';
  /** The last 64 KiB of what crane logged (one line per request). */
  logs(): string;
  /** Kills the registry (its content is lost: it lives in memory). */
  stop(): Promise<void>;
}

const MAX_LOG = 64 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts go-containerregistry v0.22.1's registry (`crane registry serve --address 127.0.0.1:<free port>`), a
 * second real registry implementation next to Distribution. Its per-request log goes to a file, never through
 * this process (a benchmark must not pay for reading it).
 */
export async function startCraneRegistry(options: StartCraneRegistryOptions = {}): Promise<CraneRegistry> {
  const binary = options.binary ?? (await buildGgcrBinaries()).crane;
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const dir = await mkdtemp(join(tmpdir(), 'agentbox-crane-'));
  trackDirectory(dir);
  const logPath = join(dir, 'crane.log');
  const logs = (): string => {
    if (!existsSync(logPath)) return '';
    const size = statSync(logPath).size;
    const text = readFileSync(logPath, 'utf8');
    return size > MAX_LOG ? text.slice(-MAX_LOG) : text;
  };
  let lastError: RegistryHarnessError | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const fd = openSync(logPath, 'a');
    // setpriv --pdeathsig makes the kernel kill the registry if this process dies without cleanup.
    const viaSetpriv = existsSync('/usr/bin/setpriv');
    const args = ['registry', 'serve', '--address', `127.0.0.1:${port}`];
    const child = viaSetpriv
      ? spawn('/usr/bin/setpriv', ['--pdeathsig', 'SIGKILL', '--', binary, ...args], {
          stdio: ['ignore', fd, fd],
        })
      : spawn(binary, args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    if (child.pid !== undefined) rememberPid(child.pid);
    let exited: string | undefined;
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
    });
    child.once('error', (error) => {
      exited = `failed to spawn: ${error.message}`;
    });
    const deadline = Date.now() + timeoutMs;
    let up = false;
    while (Date.now() < deadline && exited === undefined) {
      try {
        if ((await probeHttp(port)) === 200) {
          up = true;
          break;
        }
      } catch {
        // Not listening yet.
      }
      await sleep(50);
    }
    if (up) return craneHandle(port, child, dir, logs);
    await killChild(child);
    lastError = new RegistryHarnessError(
      'RegistryStartFailed',
      `crane registry on 127.0.0.1:${port} ${exited ?? `did not answer GET /v2/ within ${timeoutMs} ms`}; its log:\n${logs().trim() || '(empty)'}`,
    );
    if (!/address already in use/i.test(logs())) break;
  }
  await rm(dir, { recursive: true, force: true });
  forgetDirectory(dir);
  throw lastError ?? new RegistryHarnessError('RegistryStartFailed', 'crane registry did not start');
}

function craneHandle(port: number, child: ChildProcess, dir: string, logs: () => string): CraneRegistry {
  let stopped: Promise<void> | undefined;
  return {
    auth: 'none',
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    logs,
    stop: () => {
      stopped ??= (async () => {
        await killChild(child);
        await rm(dir, { recursive: true, force: true });
        forgetDirectory(dir);
      })();
      return stopped;
    },
  };
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.pid !== undefined) forgetPid(child.pid);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
