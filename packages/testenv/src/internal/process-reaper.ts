import { spawn } from 'node:child_process';

// Every process the harness starts (etcd, kube-apiserver, the registries) is remembered
// here so that none outlives the test run: they are killed on exit and on SIGINT/SIGTERM, and a detached watchdog
// shell kills them if this Node process dies without running any handler (SIGKILL,
// a crash of the worker).
const live = new Set<number>();
let installed = false;

function killAll(): void {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  process.removeListener(signal, onSignal);
  // Re-raise only when nobody else handles the signal, so the default (exit) still happens.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', killAll);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * Registers a child pid to be killed on exit, and starts its watchdog, which (only if
 * this process dies first) kills the child and removes `dirs` (tokens, keys, data).
 */
export function rememberPid(pid: number, dirs: readonly string[] = []): void {
  install();
  live.add(pid);
  const script =
    'while kill -0 "$1" 2>/dev/null; do kill -0 "$2" 2>/dev/null || exit 0; sleep 1; done; ' +
    'kill -9 "$2" 2>/dev/null; shift 2; sleep 1; rm -rf -- "$@"';
  const args = ['-c', script, 'agentbox-testenv-watchdog', String(process.pid), String(pid), ...dirs];
  const watchdog = spawn('sh', args, { detached: true, stdio: 'ignore' });
  watchdog.unref();
}

/** Forgets a pid that has exited (its watchdog notices on its own and ends). */
export function forgetPid(pid: number): void {
  live.delete(pid);
}
