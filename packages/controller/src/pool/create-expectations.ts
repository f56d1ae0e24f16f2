import type { Clock } from '@agentbox/core';

/** What a pool still waits to see in the cache after its own creates and deletes. */
export interface PendingExpectations {
  creates: number;
  deletes: number;
}

/**
 * Creations and deletions a pool's reconcile has sent but the informer has not shown yet (client-go's
 * ControllerExpectations, by pod name). While any is pending, the pool's cache is known to be behind, so
 * scale decisions wait instead of creating or deleting twice. Entries expire after the TTL, so a lost event
 * never blocks a pool for good.
 */
export interface Expectations {
  /** Records that the pod `name` of `poolKey` was created. */
  expectCreate(poolKey: string, name: string): void;
  /** Records that the pod `name` of `poolKey` was deleted (or asked to be). */
  expectDelete(poolKey: string, name: string): void;
  /** The informer showed the pod (an add): its creation is observed. */
  observeCreate(poolKey: string, name: string): void;
  /** The informer showed the pod deleting or gone: its deletion is observed. */
  observeDelete(poolKey: string, name: string): void;
  /**
   * Pending entries after dropping the expired ones and those the cache already reflects:
   * `present(name)` tells whether the cache holds the pod, `deleting(name)` whether it is gone or deleting.
   */
  pending(
    poolKey: string,
    present?: (name: string) => boolean,
    deleting?: (name: string) => boolean,
  ): PendingExpectations;
  /** True when nothing is pending (see `pending`). */
  satisfied(
    poolKey: string,
    present?: (name: string) => boolean,
    deleting?: (name: string) => boolean,
  ): boolean;
  /** Forgets a pool (it was deleted). */
  forget(poolKey: string): void;
}

interface PoolEntries {
  creates: Map<string, number>;
  deletes: Map<string, number>;
}

/** Creates the expectations store; entries live `ttlMs` on `clock`. */
export function createExpectations(options: { ttlMs: number; clock: Clock }): Expectations {
  const pools = new Map<string, PoolEntries>();
  const now = () => options.clock.now().getTime();
  const entries = (poolKey: string): PoolEntries => {
    let e = pools.get(poolKey);
    if (e === undefined) {
      e = { creates: new Map(), deletes: new Map() };
      pools.set(poolKey, e);
    }
    return e;
  };
  const prune = (poolKey: string, present?: (n: string) => boolean, deleting?: (n: string) => boolean) => {
    const e = pools.get(poolKey);
    if (e === undefined) return undefined;
    const t = now();
    for (const [name, expires] of e.creates) {
      if (expires <= t || present?.(name)) e.creates.delete(name);
    }
    for (const [name, expires] of e.deletes) {
      if (expires <= t || deleting?.(name)) e.deletes.delete(name);
    }
    if (e.creates.size === 0 && e.deletes.size === 0) pools.delete(poolKey);
    return e;
  };
  const pending = (poolKey: string, present?: (n: string) => boolean, deleting?: (n: string) => boolean) => {
    const e = prune(poolKey, present, deleting);
    return { creates: e?.creates.size ?? 0, deletes: e?.deletes.size ?? 0 };
  };
  return {
    expectCreate: (poolKey, name) => void entries(poolKey).creates.set(name, now() + options.ttlMs),
    expectDelete: (poolKey, name) => void entries(poolKey).deletes.set(name, now() + options.ttlMs),
    observeCreate(poolKey, name) {
      pools.get(poolKey)?.creates.delete(name);
    },
    observeDelete(poolKey, name) {
      pools.get(poolKey)?.deletes.delete(name);
    },
    pending,
    satisfied(poolKey, present, deleting) {
      const p = pending(poolKey, present, deleting);
      return p.creates === 0 && p.deletes === 0;
    },
    forget: (poolKey) => void pools.delete(poolKey),
  };
}
