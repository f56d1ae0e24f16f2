import type { TestProject } from 'vitest/node';
import { type ProvidedRegistries, provideRegistry } from '../registry/provided-registries.js';
import { startRegistry, type TestRegistry } from '../registry/start-registry.js';

interface Shared {
  users: number;
  started: Promise<{ provided: ProvidedRegistries; registries: TestRegistry[] }>;
}

// Vitest calls a root-level global setup once for the root project and once more for
// every project that `extends` the root config, all in this one process: the first call
// starts the registries, the others share them, and the last teardown stops them.
const SHARED = Symbol.for('agentbox.testenv.registries');
type WithShared = typeof globalThis & { [SHARED]?: Shared };

async function startAll(): Promise<Awaited<Shared['started']>> {
  const results = await Promise.allSettled([
    startRegistry({ auth: 'none' }),
    startRegistry({ auth: 'basic' }),
    startRegistry({ auth: 'token' }),
  ]);
  const registries = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(registries.map((r) => r.stop()));
    throw failed.reason;
  }
  const [none, basic, token] = registries as [TestRegistry, TestRegistry, TestRegistry];
  const provided = {
    none: provideRegistry(none),
    basic: provideRegistry(basic),
    token: provideRegistry(token),
  } as ProvidedRegistries;
  return { provided, registries };
}

/**
 * Vitest global setup: starts one real registry per auth mode (none, basic, token) for
 * the whole run and provides them to test files as `inject('registries')`. A failure
 * throws (with the registry's log), failing the run loudly.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const g = globalThis as WithShared;
  g[SHARED] ??= { users: 0, started: startAll() };
  const shared = g[SHARED];
  shared.users += 1;
  let running: Awaited<Shared['started']>;
  try {
    running = await shared.started;
  } catch (err) {
    shared.users -= 1;
    if (shared.users === 0) delete g[SHARED];
    throw err;
  }
  project.provide('registries', running.provided);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    delete g[SHARED];
    await Promise.all(running.registries.map((r) => r.stop()));
  };
}
