import type { Clock } from '../ports/clock.js';

/** A Clock that only moves when told to. */
export class FakeClock implements Clock {
  private ms: number;

  /** Starts at `start`. Default: 2026-01-01T00:00:00Z. */
  constructor(start: Date | string | number = '2026-01-01T00:00:00Z') {
    this.ms = new Date(start).getTime();
  }

  /** The current fake time (a new Date each call). */
  now(): Date {
    return new Date(this.ms);
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.ms += ms;
  }

  /** Sets the clock to `time`. */
  set(time: Date | string | number): void {
    this.ms = new Date(time).getTime();
  }
}
