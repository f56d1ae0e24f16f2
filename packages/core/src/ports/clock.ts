/** Source of the current time; inject a fake one in tests. */
export interface Clock {
  /** The current time. */
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };
