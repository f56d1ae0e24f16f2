import { type Clock, systemClock } from '@agentbox/core';
import type { WorkQueue } from './work-queue.js';

/** What a reconcile asks for after a success (controller-runtime's Result). */
export interface ReconcileResult {
  /** Reconcile the key again after this long (also after an earlier event, whichever comes first). */
  requeueAfterMs?: number;
}

/** Options of runWorkers. */
export interface RunWorkersOptions {
  /** Workers running at once (at least 1). */
  concurrency: number;
  /** Reconciles one key; `signal` aborts when the workers are stopped. A throw re-queues the key with back-off. */
  reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult>;
  /** Stops the workers: the queue is shut down, in-flight reconciles finish (they see the signal). */
  signal: AbortSignal;
  /** Called after every reconcile with its result or error (a non-Error throw wrapped) and its duration, for metrics. */
  onResult?(key: string, outcome: ReconcileResult | Error, seconds: number): void;
  /** Measures the durations. Default: the system clock. */
  clock?: Clock;
}

/**
 * Runs `concurrency` workers over the queue with controller-runtime's semantics: a throw → `addRateLimited(key)`;
 * a success → `forget(key)`, then `addAfter(key, requeueAfterMs)` when asked. Resolves once the queue is shut
 * down (by the signal or by its owner) and every worker is idle.
 */
export async function runWorkers(queue: WorkQueue, options: RunWorkersOptions): Promise<void> {
  const { reconcile, signal, onResult } = options;
  const clock = options.clock ?? systemClock;
  const stop = () => queue.shutDown();
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });

  async function worker(): Promise<void> {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      const started = clock.now().getTime();
      let outcome: ReconcileResult | Error;
      try {
        const result = (await reconcile(key, signal)) ?? {};
        queue.forget(key);
        if (result.requeueAfterMs !== undefined && result.requeueAfterMs >= 0) {
          queue.addAfter(key, result.requeueAfterMs);
        }
        outcome = result;
      } catch (err) {
        queue.addRateLimited(key);
        outcome = err instanceof Error ? err : new Error(String(err), { cause: err });
      } finally {
        queue.done(key);
      }
      try {
        onResult?.(key, outcome, (clock.now().getTime() - started) / 1000);
      } catch {
        // A failing metrics hook must not stop a worker.
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.floor(options.concurrency)) }, worker));
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
