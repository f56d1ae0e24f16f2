import { FakeClock } from '@agentbox/core/testing';
import { describe, expect, it } from 'vitest';
import { createWorkQueue } from './create-work-queue.js';
import { FakeTimers } from './fake-timers.js';
import { type ReconcileResult, runWorkers } from './run-workers.js';

interface Deferred {
  promise: Promise<ReconcileResult>;
  resolve(result: ReconcileResult): void;
  reject(err: unknown): void;
}

function deferred(): Deferred {
  let resolve!: (r: ReconcileResult) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<ReconcileResult>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run (the workers hop through several awaits per key). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function setup() {
  const clock = new FakeClock();
  const timers = new FakeTimers(clock);
  const queue = createWorkQueue({ clock, timers });
  const ac = new AbortController();
  return { clock, timers, queue, ac };
}

describe('runWorkers', () => {
  it.each([
    {
      name: 'a success forgets the key and requeues it after requeueAfterMs',
      outcome: { requeueAfterMs: 1000 },
      requeues: 0,
      backAfterMs: 1000,
    },
    {
      name: 'a success without requeueAfterMs does not requeue',
      outcome: {},
      requeues: 0,
      backAfterMs: undefined,
    },
    {
      name: 'a throw requeues with the rate limiter (5 ms first)',
      outcome: 'throw',
      requeues: 1,
      backAfterMs: 5,
    },
  ] as const)('$name', async ({ outcome, requeues, backAfterMs }) => {
    const { timers, queue, ac } = setup();
    const calls: string[] = [];
    const running = runWorkers(queue, {
      concurrency: 1,
      signal: ac.signal,
      reconcile: async (key) => {
        calls.push(key);
        if (calls.length > 1) return {};
        if (outcome === 'throw') throw new Error('boom');
        return outcome;
      },
    });
    queue.add('k');
    await settle();
    expect(calls).toEqual(['k']);
    expect(queue.numRequeues('k')).toBe(requeues);
    if (backAfterMs !== undefined) {
      timers.advance(backAfterMs - 1);
      await settle();
      expect(calls).toEqual(['k']);
      timers.advance(1);
      await settle();
      expect(calls[1]).toBe('k');
    } else {
      timers.advance(100_000);
      await settle();
      expect(calls.filter((k) => k === 'k')).toHaveLength(1);
    }
    ac.abort();
    await running;
  });

  it('a success after failures forgets the back-off', async () => {
    const { timers, queue, ac } = setup();
    let attempt = 0;
    const running = runWorkers(queue, {
      concurrency: 1,
      signal: ac.signal,
      reconcile: async () => {
        attempt++;
        if (attempt <= 2) throw new Error(`attempt ${attempt}`);
        return {};
      },
    });
    queue.add('k');
    await settle();
    expect(queue.numRequeues('k')).toBe(1);
    timers.advance(5);
    await settle();
    expect(queue.numRequeues('k')).toBe(2);
    timers.advance(10);
    await settle();
    expect(attempt).toBe(3);
    expect(queue.numRequeues('k')).toBe(0);
    ac.abort();
    await running;
  });

  it('runs at most `concurrency` reconciles at once and never one key twice at once', async () => {
    const { queue, ac } = setup();
    const inFlight = new Map<string, Deferred>();
    let maxConcurrent = 0;
    const started: string[] = [];
    const running = runWorkers(queue, {
      concurrency: 2,
      signal: ac.signal,
      reconcile: (key) => {
        expect(inFlight.has(key)).toBe(false);
        const d = deferred();
        inFlight.set(key, d);
        started.push(key);
        maxConcurrent = Math.max(maxConcurrent, inFlight.size);
        return d.promise.finally(() => inFlight.delete(key));
      },
    });
    for (const key of ['a', 'b', 'c']) queue.add(key);
    await settle();
    expect(started).toEqual(['a', 'b']);
    queue.add('a');
    inFlight.get('b')!.resolve({});
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    inFlight.get('a')!.resolve({});
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'a']);
    expect(maxConcurrent).toBe(2);
    for (const d of inFlight.values()) d.resolve({});
    ac.abort();
    await running;
  });

  it('reports every result, error and duration to onResult', async () => {
    const { clock, queue, ac } = setup();
    const results: Array<[string, string, number]> = [];
    const running = runWorkers(queue, {
      concurrency: 1,
      signal: ac.signal,
      clock,
      reconcile: async (key) => {
        clock.advance(250);
        if (key === 'bad') throw 'not an Error';
        return { requeueAfterMs: 7 };
      },
      onResult: (key, outcome, seconds) => {
        results.push([
          key,
          outcome instanceof Error ? `error ${outcome.message}` : `ok ${outcome.requeueAfterMs}`,
          seconds,
        ]);
        throw new Error('a failing hook does not stop the worker');
      },
    });
    queue.add('good');
    queue.add('bad');
    await settle();
    expect(results).toEqual([
      ['good', 'ok 7', 0.25],
      ['bad', 'error not an Error', 0.25],
    ]);
    ac.abort();
    await running;
  });

  it('on abort stops taking keys, lets in-flight reconciles finish (they see the signal) and then resolves', async () => {
    const { queue, ac } = setup();
    const d = deferred();
    let seenSignal: AbortSignal | undefined;
    const calls: string[] = [];
    let resolved = false;
    const running = runWorkers(queue, {
      concurrency: 2,
      signal: ac.signal,
      reconcile: (key, signal) => {
        calls.push(key);
        seenSignal = signal;
        return d.promise;
      },
    }).then(() => {
      resolved = true;
    });
    queue.add('a');
    await settle();
    ac.abort();
    queue.add('b');
    await settle();
    expect(seenSignal?.aborted).toBe(true);
    expect(resolved).toBe(false);
    d.resolve({ requeueAfterMs: 0 });
    await running;
    expect(calls).toEqual(['a']);
    expect(queue.shuttingDown).toBe(true);
  });

  it('resolves when the queue is shut down by its owner', async () => {
    const { queue, ac } = setup();
    const running = runWorkers(queue, { concurrency: 3, signal: ac.signal, reconcile: async () => ({}) });
    queue.shutDown();
    await running;
    expect(ac.signal.aborted).toBe(false);
  });

  it('an already aborted signal resolves at once without reconciling', async () => {
    const { queue, ac } = setup();
    queue.add('a');
    ac.abort();
    let calls = 0;
    await runWorkers(queue, {
      concurrency: 1,
      signal: ac.signal,
      reconcile: async () => {
        calls++;
        return {};
      },
    });
    expect(calls).toBe(0);
  });
});
