/** How a request is retried; every field comes from the resolver options. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  /** First back-off delay; doubled per retry. */
  readonly baseDelayMs: number;
  /** Cap of one back-off delay. */
  readonly maxDelayMs: number;
  /** Longest `Retry-After` honoured; a longer one ends the retries. */
  readonly maxRetryAfterMs: number;
  /** Waits (injectable so unit tests run without real time). */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1). */
  readonly random: () => number;
  /** Current time in ms, for HTTP-date `Retry-After` values. */
  readonly now: () => number;
}

/** The outcome of one attempt: a value (e.g. an HTTP response) or an error. */
export type AttemptOutcome<T> = { readonly value: T } | { readonly error: unknown };

/** Whether to try again, and how long the server asked to wait (`Retry-After`). */
export interface RetryVerdict {
  readonly retry: boolean;
  readonly retryAfterMs?: number;
}

/**
 * Parses a `Retry-After` value (delta-seconds or an HTTP-date) into milliseconds from `nowMs`;
 * `undefined` when absent or unparsable, 0 for a date in the past.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Exponential back-off with "equal jitter": half the capped delay fixed, half random, so retries spread out. */
export function backoffDelay(
  retryIndex: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
): number {
  const capped = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex);
  return Math.round(capped / 2 + (policy.random() * capped) / 2);
}

/**
 * Runs `attempt` until `judge` says stop or the retries are used up, sleeping between attempts:
 * the server's `Retry-After` when given (one above `maxRetryAfterMs` stops at once, returning that answer),
 * else exponential back-off with equal jitter.
 * A value that is retried is handed to `discard` first (to release a response body).
 * Returns the last value or throws the last error.
 */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  judge: (outcome: AttemptOutcome<T>) => RetryVerdict,
  policy: RetryPolicy,
  options: { signal?: AbortSignal; discard?: (value: T) => Promise<void> } = {},
): Promise<T> {
  for (let retryIndex = 0; ; retryIndex++) {
    let outcome: AttemptOutcome<T>;
    try {
      outcome = { value: await attempt() };
    } catch (error) {
      outcome = { error };
    }
    const verdict: RetryVerdict = retryIndex < policy.retries ? judge(outcome) : { retry: false };
    // The cap applies to what the server asked for; our own back-off is capped by `maxDelayMs` already.
    const tooLong = verdict.retryAfterMs !== undefined && verdict.retryAfterMs > policy.maxRetryAfterMs;
    if (!verdict.retry || tooLong) {
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
    }
    if ('value' in outcome && options.discard) await options.discard(outcome.value);
    options.signal?.throwIfAborted();
    await policy.sleep(verdict.retryAfterMs ?? backoffDelay(retryIndex, policy), options.signal);
  }
}
