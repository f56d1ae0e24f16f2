import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OWNER_FILE = 'harness.pid';
const GRACE_MS = 60_000;
const swept = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Records this process as the owner of `dir`, so a later sweep can tell whether it is abandoned. */
export function markOwner(dir: string): void {
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
}

/**
 * Removes, once per process and parent folder, the `<prefix>*` folders whose owning process is gone:
 * a test process killed hard (SIGKILL) cannot clean up, and `/dev/shm` is memory.
 */
export function sweepStaleDirectories(parent: string, prefix: string): void {
  if (swept.has(parent)) return;
  swept.add(parent);
  let names: string[];
  try {
    names = readdirSync(parent).filter((n) => n.startsWith(prefix));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(parent, name);
    try {
      const owner = Number.parseInt(readFileSync(join(dir, OWNER_FILE), 'utf8'), 10);
      if (Number.isInteger(owner) && alive(owner)) continue;
    } catch {
      // No owner file: a folder being set up right now, or one from before owner files; only old ones go.
      try {
        if (Date.now() - statSync(dir).mtimeMs < GRACE_MS) continue;
      } catch {
        continue;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
