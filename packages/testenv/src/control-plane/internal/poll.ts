import { setTimeout as sleep } from 'node:timers/promises';

/** Options of {@link pollUntil}. */
export interface PollOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between attempts. Default: 100 ms. */
  intervalMs?: number;
  /** Stops early with this error when it returns one (e.g. the process died). */
  abortIf?: () => Error | undefined;
}

/**
 * Calls `attempt` until it returns a value other than `undefined`; throws the abort
 * error, or a timeout error carrying the last failure as `cause`.
 */
export async function pollUntil<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  options: PollOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown;
  for (;;) {
    const abort = options.abortIf?.();
    if (abort) throw abort;
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${detail}`, {
        cause: last,
      });
    }
    await sleep(options.intervalMs ?? 100);
  }
}
