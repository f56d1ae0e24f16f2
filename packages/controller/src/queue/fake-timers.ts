import type { FakeClock } from '@agentbox/core/testing';
import type { TimerHandle, Timers } from './timers.js';

interface Scheduled {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * Timers driven by a FakeClock, for unit tests: nothing fires until `advance` moves the clock past a
 * callback's time; callbacks fire in time order (then in scheduling order), each with the clock set to its
 * time.
 */
export class FakeTimers implements Timers {
  private readonly scheduled = new Map<number, Scheduled>();
  private nextId = 1;

  constructor(readonly clock: FakeClock) {}

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.scheduled.set(id, { id, at: this.clock.now().getTime() + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.scheduled.delete(handle as number);
  }

  /** Callbacks not yet fired. */
  pending(): number {
    return this.scheduled.size;
  }

  /** Moves the clock forward by `ms`, firing every callback that falls due on the way (also ones they schedule). */
  advance(ms: number): void {
    const target = this.clock.now().getTime() + ms;
    for (;;) {
      let next: Scheduled | undefined;
      for (const s of this.scheduled.values()) {
        if (s.at <= target && (!next || s.at < next.at || (s.at === next.at && s.id < next.id))) next = s;
      }
      if (!next) break;
      this.scheduled.delete(next.id);
      if (next.at > this.clock.now().getTime()) this.clock.set(next.at);
      next.fn();
    }
    this.clock.set(target);
  }
}
