import type { V1Container } from '@kubernetes/client-node';
import type { SimContainer } from './sim-container.js';
import type { SimContext } from './sim-context.js';

/**
 * What a container's lifecycle needs from the actor of its pod: the simulator's shared
 * context, the pod's single action chain (so status writes of a pod never overlap),
 * the pod's current spec and a way to publish its status.
 */
export interface PodChain {
  readonly ctx: SimContext;
  /** The pod's UID (the crash back-off is kept per pod). */
  readonly uid: string | undefined;
  /** Runs `fn` after every earlier action of the pod; a failure goes to the simulator's error list. */
  run(fn: () => Promise<void> | void): Promise<void>;
  /** The container named `name` in the pod's latest spec. */
  spec(name: string): V1Container | undefined;
  /** Publishes the pod's status as it now stands. */
  publish(): Promise<void>;
}

/**
 * Runs `fn` on the pod's chain after `ms`, unless `c` got a new plan meanwhile: every
 * plan bumps `c.token`, so the timer of an abandoned plan (image changed, container
 * killed, pod gone) finds a newer token and does nothing.
 */
export function laterIfCurrent(
  pod: PodChain,
  c: SimContainer,
  token: number,
  ms: number,
  fn: () => Promise<void> | void,
): void {
  pod.ctx.later(
    ms,
    () =>
      void pod.run(async () => {
        if (token !== c.token) return;
        await fn();
      }),
  );
}
