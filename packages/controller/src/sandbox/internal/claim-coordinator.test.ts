import { describe, expect, it } from 'vitest';
import { ClaimCoordinator } from './claim-coordinator.js';

describe('ClaimCoordinator', () => {
  it('shares one LIST in flight per key and starts a new one after it settles', async () => {
    const c = new ClaimCoordinator();
    let calls = 0;
    let finish!: (v: string) => void;
    const list = () => {
      calls++;
      return new Promise<string>((resolve) => {
        finish = resolve;
      });
    };
    const a = c.share('ns/p', list);
    const b = c.share('ns/p', list);
    finish('items');
    expect(await a).toBe('items');
    expect(await b).toBe('items');
    expect(calls).toBe(1);
    const again = c.share('ns/p', list);
    finish('more');
    expect(await again).toBe('more');
    expect(calls).toBe(2);
  });

  it("a caller's abort ends only its own wait", async () => {
    const c = new ClaimCoordinator();
    let finish!: (v: number) => void;
    const run = () =>
      new Promise<number>((resolve) => {
        finish = resolve;
      });
    const ac = new AbortController();
    const a = c.share('k', run, ac.signal);
    const b = c.share('k', run);
    ac.abort(new Error('gave up'));
    await expect(a).rejects.toThrow('gave up');
    finish(7);
    expect(await b).toBe(7);
  });

  it('a failed LIST is not kept', async () => {
    const c = new ClaimCoordinator();
    await expect(c.share('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await c.share('k', () => Promise.resolve(1))).toBe(1);
  });

  it('counts pods being tried and remembers pods won', () => {
    const c = new ClaimCoordinator();
    c.startTrying('u1');
    c.startTrying('u1');
    c.doneTrying('u1');
    expect(c.isContested('u1')).toBe(true);
    c.doneTrying('u1');
    expect(c.isContested('u1')).toBe(false);
    c.markTaken('u1/5', 0);
    expect(c.isTaken('u1/5')).toBe(true);
    expect(c.isTaken('u1/6')).toBe(false);
    // Marks older than a minute go when new ones are added.
    c.markTaken('u2/1', 120_000);
    expect(c.isTaken('u1/5')).toBe(false);
    expect(c.isTaken('u2/1')).toBe(true);
  });
});
