/** An opaque handle of a scheduled callback. */
export type TimerHandle = unknown;

/**
 * The timer seam of the queue and the informers: real timers in production, a fake in tests (passed as an
 * option, never by patching globals).
 */
export interface Timers {
  /** Calls `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a callback that has not run yet. */
  clearTimeout(handle: TimerHandle): void;
}

/** Node's timers; they do not keep the process alive on their own (a controller's watches do). */
export const systemTimers: Timers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
