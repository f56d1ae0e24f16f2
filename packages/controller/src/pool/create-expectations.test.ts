import { describe, expect, it } from 'vitest';
import { createExpectations } from './create-expectations.js';

function fakeClock(start = 0) {
  let t = start;
  const advance = (ms: number) => {
    t += ms;
  };
  return { clock: { now: () => new Date(t) }, advance };
}

describe('createExpectations', () => {
  it('is unsatisfied while a create or delete is not observed, satisfied once it is', () => {
    const { clock } = fakeClock();
    const e = createExpectations({ ttlMs: 300_000, clock });
    expect(e.satisfied('ns/p')).toBe(true);
    e.expectCreate('ns/p', 'a');
    e.expectDelete('ns/p', 'b');
    expect(e.pending('ns/p')).toEqual({ creates: 1, deletes: 1 });
    e.observeCreate('ns/p', 'a');
    expect(e.pending('ns/p')).toEqual({ creates: 0, deletes: 1 });
    e.observeDelete('ns/p', 'b');
    expect(e.satisfied('ns/p')).toBe(true);
  });

  it('counts an event that arrived before the expectation through the cache check', () => {
    const { clock } = fakeClock();
    const e = createExpectations({ ttlMs: 300_000, clock });
    e.observeCreate('ns/p', 'a'); // the watch was faster than the POST's answer
    e.expectCreate('ns/p', 'a');
    expect(e.satisfied('ns/p')).toBe(false);
    expect(e.satisfied('ns/p', (name) => name === 'a')).toBe(true);
    e.expectDelete('ns/p', 'b');
    expect(e.satisfied('ns/p', undefined, (name) => name === 'b')).toBe(true);
  });

  it('forgets entries after the TTL, so a lost event never blocks a pool for good', () => {
    const { clock, advance } = fakeClock();
    const e = createExpectations({ ttlMs: 300_000, clock });
    e.expectCreate('ns/p', 'a');
    advance(299_999);
    expect(e.satisfied('ns/p')).toBe(false);
    advance(1);
    expect(e.satisfied('ns/p')).toBe(true);
  });

  it('keeps pools apart and forgets a deleted pool', () => {
    const { clock } = fakeClock();
    const e = createExpectations({ ttlMs: 1000, clock });
    e.expectCreate('ns/p', 'a');
    e.expectCreate('ns/q', 'a');
    e.observeCreate('ns/q', 'a');
    expect(e.satisfied('ns/p')).toBe(false);
    expect(e.satisfied('ns/q')).toBe(true);
    e.forget('ns/p');
    expect(e.satisfied('ns/p')).toBe(true);
  });
});
