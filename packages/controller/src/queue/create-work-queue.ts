import { DeadlineHeap } from './internal/deadline-heap.js';
import type { TimerHandle } from './timers.js';
import type { WorkQueue } from './work-queue.js';
import { resolveWorkQueueOptions, type WorkQueueOptions } from './work-queue-options.js';

/**
 * Creates a WorkQueue with client-go semantics (see WorkQueue). Keys waiting, being processed and delayed
 * live in three structures: `dirty` (waiting or re-added while processing), `processing`, and a heap of
 * deadlines whose per-key earliest time is `delayed`.
 */
export function createWorkQueue(options?: WorkQueueOptions): WorkQueue {
  const { rateLimiter, clock, timers } = resolveWorkQueueOptions(options);

  // Insertion order of a Set is the FIFO order; `queue` ⊆ `dirty`.
  const queue = new Set<string>();
  const dirty = new Set<string>();
  const processing = new Set<string>();
  const waiters: Array<(key: string | undefined) => void> = [];

  const delayed = new Map<string, number>();
  const heap = new DeadlineHeap();
  let timer: TimerHandle | undefined;
  let timerAt = Number.POSITIVE_INFINITY;

  let shuttingDown = false;
  let drained: (() => void) | undefined;

  function handOut(): void {
    while (waiters.length > 0 && queue.size > 0) {
      const key = queue.values().next().value as string;
      queue.delete(key);
      dirty.delete(key);
      processing.add(key);
      waiters.shift()!(key);
    }
  }

  function add(key: string): void {
    if (shuttingDown || dirty.has(key)) return;
    dirty.add(key);
    if (processing.has(key)) return;
    queue.add(key);
    handOut();
  }

  function arm(): void {
    const next = heap.peek();
    if (!next || shuttingDown) return;
    if (timer !== undefined && timerAt <= next.at) return;
    if (timer !== undefined) timers.clearTimeout(timer);
    timerAt = next.at;
    const at = next.at;
    timer = timers.setTimeout(() => fire(at), at - clock.now().getTime());
  }

  function fire(armedAt: number): void {
    timer = undefined;
    timerAt = Number.POSITIVE_INFINITY;
    // A timer that fired means its deadline passed, even when the clock is a fake nobody advances while
    // the timers are real: otherwise such a mix would re-arm forever and never release a key.
    const now = Math.max(clock.now().getTime(), armedAt);
    for (let next = heap.peek(); next && next.at <= now; next = heap.peek()) {
      heap.pop();
      // A stale entry: the key was re-delayed to an earlier time, which has already fired or will.
      if (delayed.get(next.key) !== next.at) continue;
      delayed.delete(next.key);
      add(next.key);
    }
    arm();
  }

  function addAfter(key: string, delayMs: number): void {
    if (shuttingDown) return;
    if (!(delayMs > 0)) {
      add(key);
      return;
    }
    const at = clock.now().getTime() + delayMs;
    const existing = delayed.get(key);
    if (existing !== undefined && existing <= at) return;
    delayed.set(key, at);
    heap.push({ key, at });
    arm();
  }

  function stop(): void {
    shuttingDown = true;
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
    heap.clear();
    delayed.clear();
    queue.clear();
    dirty.clear();
    for (const waiter of waiters.splice(0)) waiter(undefined);
  }

  return {
    add,
    addAfter,
    addRateLimited(key) {
      addAfter(key, rateLimiter.when(key));
    },
    forget(key) {
      rateLimiter.forget(key);
    },
    numRequeues(key) {
      return rateLimiter.numRequeues(key);
    },
    get() {
      if (shuttingDown) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        waiters.push(resolve);
        handOut();
      });
    },
    done(key) {
      if (!processing.delete(key)) return;
      if (dirty.has(key)) {
        queue.add(key);
        handOut();
      }
      if (drained && processing.size === 0) drained();
    },
    len: () => queue.size,
    shutDown: stop,
    shutDownWithDrain() {
      stop();
      if (processing.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const previous = drained;
        drained = () => {
          drained = undefined;
          previous?.();
          resolve();
        };
      });
    },
    get shuttingDown() {
      return shuttingDown;
    },
  };
}
