import type { TestProject } from 'vitest/node';

/** What a shared service hands to test files and how it is stopped. */
export interface SharedService<P> {
  provided: P;
  stop(): Promise<void>;
}

interface Slot<P> {
  users: number;
  started: Promise<SharedService<P>>;
}

/**
 * Builds a vitest global setup that starts a service once per run and shares it.
 * Vitest calls a root-level global setup once for the root project and once more for
 * every project that `extends` the root config, all in this one process: the first call
 * starts the service, the others join it, and the last teardown stops it. A failed start
 * throws from every call, so the run fails loudly instead of skipping tests.
 */
export function shareAcrossProjects<P>(
  key: string,
  provide: (project: TestProject, provided: P) => void,
  start: () => Promise<SharedService<P>>,
): (project: TestProject) => Promise<() => Promise<void>> {
  const symbol = Symbol.for(`agentbox.testenv.${key}`);
  const g = globalThis as typeof globalThis & { [k: symbol]: Slot<P> | undefined };
  return async (project) => {
    g[symbol] ??= { users: 0, started: start() };
    const slot = g[symbol];
    slot.users += 1;
    let service: SharedService<P>;
    try {
      service = await slot.started;
    } catch (err) {
      slot.users -= 1;
      if (slot.users === 0) delete g[symbol];
      throw err;
    }
    provide(project, service.provided);
    return async () => {
      slot.users -= 1;
      if (slot.users > 0) return;
      delete g[symbol];
      await service.stop();
    };
  };
}
