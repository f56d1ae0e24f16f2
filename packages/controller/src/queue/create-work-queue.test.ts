import { FakeClock } from '@agentbox/core/testing';
import { describe, expect, it } from 'vitest';
import { createWorkQueue } from './create-work-queue.js';
import { FakeTimers } from './fake-timers.js';
import type { WorkQueue } from './work-queue.js';

function setup(options: { burst?: number; qps?: number } = {}) {
  const clock = new FakeClock();
  const timers = new FakeTimers(clock);
  const queue = createWorkQueue({ clock, timers, ...options });
  return { clock, timers, queue };
}

/** Takes every key that is ready now, without waiting (a pending `get` is left unresolved and dropped). */
async function drainReady(queue: WorkQueue): Promise<string[]> {
  const keys: string[] = [];
  while (queue.len() > 0) keys.push((await queue.get())!);
  return keys;
}

describe('createWorkQueue', () => {
  it.each([
    { name: 'hands keys out in FIFO order', adds: ['a', 'b', 'c'], expected: ['a', 'b', 'c'] },
    { name: 'deduplicates a waiting key', adds: ['a', 'b', 'a', 'a'], expected: ['a', 'b'] },
    { name: 'keeps the first position of a re-added key', adds: ['b', 'a', 'b'], expected: ['b', 'a'] },
  ])('$name', async ({ adds, expected }) => {
    const { queue } = setup();
    for (const key of adds) queue.add(key);
    expect(queue.len()).toBe(expected.length);
    expect(await drainReady(queue)).toEqual(expected);
  });

  it('never hands a key being processed to a second worker', async () => {
    const { queue } = setup();
    queue.add('a');
    expect(await queue.get()).toBe('a');
    queue.add('a');
    expect(queue.len()).toBe(0);
    let second: string | undefined;
    void queue.get().then((key) => {
      second = key;
    });
    await Promise.resolve();
    expect(second).toBeUndefined();
    queue.done('a');
    await Promise.resolve();
    expect(second).toBe('a');
  });

  it.each([
    {
      name: 'a key added while processing is queued once more after done',
      readdTimes: 3,
      expectedAfterDone: 1,
    },
    { name: 'a key not re-added is not queued after done', readdTimes: 0, expectedAfterDone: 0 },
  ])('$name', async ({ readdTimes, expectedAfterDone }) => {
    const { queue } = setup();
    queue.add('a');
    await queue.get();
    for (let i = 0; i < readdTimes; i++) queue.add('a');
    queue.done('a');
    expect(queue.len()).toBe(expectedAfterDone);
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const { queue } = setup();
    const got = queue.get();
    queue.add('x');
    expect(await got).toBe('x');
  });

  it.each([
    { name: 'keeps the earlier of two delays (later second)', delays: [100, 500], readyAt: 100 },
    { name: 'keeps the earlier of two delays (earlier second)', delays: [500, 100], readyAt: 100 },
    { name: 'a zero delay adds at once', delays: [0], readyAt: 0 },
    { name: 'a negative delay adds at once', delays: [-5], readyAt: 0 },
  ])('addAfter $name', async ({ delays, readyAt }) => {
    const { queue, timers } = setup();
    for (const delay of delays) queue.addAfter('k', delay);
    if (readyAt > 0) {
      timers.advance(readyAt - 1);
      expect(queue.len()).toBe(0);
      timers.advance(1);
    }
    expect(await drainReady(queue)).toEqual(['k']);
    // The superseded later deadline does not add the key a second time.
    timers.advance(1000);
    expect(queue.len()).toBe(0);
  });

  it('addAfter releases keys in deadline order', async () => {
    const { queue, timers } = setup();
    queue.addAfter('late', 300);
    queue.addAfter('early', 100);
    queue.addAfter('middle', 200);
    timers.advance(300);
    expect(await drainReady(queue)).toEqual(['early', 'middle', 'late']);
    expect(timers.pending()).toBe(0);
  });

  it('a delayed key that is already waiting is not queued twice', async () => {
    const { queue, timers } = setup();
    queue.add('k');
    queue.addAfter('k', 10);
    timers.advance(10);
    expect(await drainReady(queue)).toEqual(['k']);
  });

  it('addRateLimited backs off per key exponentially from 5 ms; forget resets it', async () => {
    const { queue, timers } = setup();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      queue.addRateLimited('k');
      let waited = 0;
      while (queue.len() === 0 && waited < 1000) {
        timers.advance(1);
        waited++;
      }
      delays.push(waited);
      queue.done((await queue.get())!);
    }
    expect(delays).toEqual([5, 10, 20, 40, 80]);
    expect(queue.numRequeues('k')).toBe(5);
    queue.forget('k');
    expect(queue.numRequeues('k')).toBe(0);
  });

  it('per-key back-off is independent between keys', () => {
    const { queue } = setup();
    queue.addRateLimited('a');
    queue.addRateLimited('a');
    queue.addRateLimited('b');
    expect(queue.numRequeues('a')).toBe(2);
    expect(queue.numRequeues('b')).toBe(1);
  });

  it('the overall token bucket delays retries beyond the burst', () => {
    const { queue, timers } = setup({ burst: 2, qps: 10 });
    // Three distinct keys, each on its first retry (5 ms back-off): the third waits for a token (100 ms).
    for (const key of ['a', 'b', 'c']) queue.addRateLimited(key);
    timers.advance(5);
    expect(queue.len()).toBe(2);
    timers.advance(94);
    expect(queue.len()).toBe(2);
    timers.advance(1);
    expect(queue.len()).toBe(3);
  });

  it('shutDown wakes waiting workers with undefined, drops queued keys and ignores new ones', async () => {
    const { queue, timers } = setup();
    const waiting = [queue.get(), queue.get()];
    queue.shutDown();
    expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
    queue.add('a');
    queue.addAfter('b', 10);
    timers.advance(10);
    expect(queue.len()).toBe(0);
    expect(await queue.get()).toBeUndefined();
    expect(queue.shuttingDown).toBe(true);
    expect(timers.pending()).toBe(0);
  });

  it('shutDownWithDrain resolves only when every key being processed is done', async () => {
    const { queue } = setup();
    queue.add('a');
    queue.add('b');
    queue.add('c');
    const a = (await queue.get())!;
    const b = (await queue.get())!;
    let drained = false;
    const draining = queue.shutDownWithDrain().then(() => {
      drained = true;
    });
    expect(await queue.get()).toBeUndefined();
    queue.done(a);
    await Promise.resolve();
    expect(drained).toBe(false);
    queue.done(b);
    await draining;
    expect(drained).toBe(true);
  });

  it('shutDownWithDrain resolves at once when nothing is being processed', async () => {
    const { queue } = setup();
    await queue.shutDownWithDrain();
    expect(queue.shuttingDown).toBe(true);
  });

  it('done of a key that is not being processed changes nothing', () => {
    const { queue } = setup();
    queue.done('ghost');
    queue.add('a');
    queue.done('a');
    expect(queue.len()).toBe(1);
  });

  it('releases a delayed key when its timer fires even if the clock was not advanced', async () => {
    // A frozen fake clock with timers that fire on their own (here: fired by hand, the clock left alone).
    const clock = new FakeClock();
    const fired: Array<() => void> = [];
    const queue = createWorkQueue({
      clock,
      timers: {
        setTimeout: (fn) => fired.push(fn),
        clearTimeout: () => {},
      },
    });
    queue.addRateLimited('k');
    expect(queue.len()).toBe(0);
    fired.shift()!();
    expect(await drainReady(queue)).toEqual(['k']);
  });
});
