import { rmSync } from 'node:fs';

// Everything the harness started in this process, so that a test run that ends
// without calling stop() (a crash, a forgotten afterAll) leaves no registry behind.
const pids = new Set<number>();
const dirs = new Set<string>();
let installed = false;

function cleanupNow(): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  pids.clear();
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Best effort at exit: nothing left to report to.
    }
  }
  dirs.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', cleanupNow);
}

/** Kills `pid` when this process exits, unless `forgetProcess` was called first. */
export function trackProcess(pid: number): void {
  install();
  pids.add(pid);
}

/** Stops tracking a process that was stopped normally. */
export function forgetProcess(pid: number): void {
  pids.delete(pid);
}

/** Removes `dir` when this process exits, unless `forgetDirectory` was called first. */
export function trackDirectory(dir: string): void {
  install();
  dirs.add(dir);
}

/** Stops tracking a directory that was removed normally. */
export function forgetDirectory(dir: string): void {
  dirs.delete(dir);
}
