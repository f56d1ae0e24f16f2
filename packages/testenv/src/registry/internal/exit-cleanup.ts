import { rmSync } from 'node:fs';

// The registries' folders, removed when a test run ends without calling stop() (a forgotten
// afterAll). Their processes are the process reaper's (killed on exit, or by its watchdog).
const dirs = new Set<string>();
let installed = false;

function cleanupNow(): void {
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

/** Removes `dir` when this process exits, unless `forgetDirectory` was called first. */
export function trackDirectory(dir: string): void {
  install();
  dirs.add(dir);
}

/** Stops tracking a directory that was removed normally. */
export function forgetDirectory(dir: string): void {
  dirs.delete(dir);
}
