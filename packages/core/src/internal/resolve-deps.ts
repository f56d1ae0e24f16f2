import { type Clock, systemClock } from '../ports/clock.js';
import type { CoreDeps } from '../ports/core-deps.js';

/** CoreDeps with every default applied. */
export interface ResolvedDeps {
  clock: Clock;
  signal: AbortSignal | undefined;
}

/** Applies the defaults of CoreDeps: the real clock, no signal. */
export function resolveDeps(deps: CoreDeps | undefined): ResolvedDeps {
  return { clock: deps?.clock ?? systemClock, signal: deps?.signal };
}
