import type { Clock } from './clock.js';

/** Seams every time-dependent or cancellable function of core accepts. */
export interface CoreDeps {
  /** Source of "now". Default: the real clock. */
  clock?: Clock;
  /** Aborts the operation (between API calls and during retry sleeps). Default: none. */
  signal?: AbortSignal;
}
