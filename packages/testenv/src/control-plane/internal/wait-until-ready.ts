import { exitError, type ManagedProcess, withLogTail } from './managed-process.js';
import { pollUntil } from './poll.js';

/** One readiness check: what is awaited (for the timeout message) and an attempt that returns true once it holds. */
export type ReadinessCheck = readonly [what: string, attempt: () => Promise<true | undefined>];

/**
 * Polls the readiness checks of a just-started process one after the other; a process
 * that exits ends the wait at once. On failure the process is stopped and the error
 * carries its log tail, so a failed start leaves nothing running and explains itself.
 */
export async function waitUntilReady(
  proc: ManagedProcess,
  checks: readonly ReadinessCheck[],
  options: { timeoutMs: number; intervalMs?: number },
): Promise<void> {
  try {
    for (const [what, attempt] of checks) {
      await pollUntil(what, attempt, { ...options, abortIf: () => exitError(proc) });
    }
  } catch (err) {
    await proc.stop(1_000);
    throw withLogTail(err, proc);
  }
}
