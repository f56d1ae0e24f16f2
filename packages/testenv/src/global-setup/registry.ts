import { type ProvidedRegistries, provideRegistry } from '../registry/provided-registries.js';
import { type CraneRegistry, startCraneRegistry } from '../registry/start-crane-registry.js';
import { startRegistry, type TestRegistry } from '../registry/start-registry.js';
import { type SharedService, shareAcrossProjects } from './share-across-projects.js';

async function startAll(): Promise<SharedService<ProvidedRegistries>> {
  const results = await Promise.allSettled([
    startRegistry({ auth: 'none' }),
    startRegistry({ auth: 'basic' }),
    startRegistry({ auth: 'token' }),
    startCraneRegistry(),
  ]);
  const registries = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(registries.map((r) => r.stop()));
    throw failed.reason;
  }
  const [none, basic, token, crane] = registries as [TestRegistry, TestRegistry, TestRegistry, CraneRegistry];
  const provided = {
    none: provideRegistry(none),
    basic: provideRegistry(basic),
    token: provideRegistry(token),
    crane: provideRegistry(crane),
  } as ProvidedRegistries;
  const stop = async (): Promise<void> => {
    await Promise.all(registries.map((r) => r.stop()));
  };
  return { provided, stop };
}

/**
 * Vitest global setup: starts one real Distribution registry per auth mode (none, basic,
 * token) and go-containerregistry's registry (`crane`, no auth) for the whole run and provides them to test files as `inject('registries')`. A failure
 * throws (with the registry's log), failing the run loudly.
 */
export default shareAcrossProjects<ProvidedRegistries>(
  'registries',
  (project, provided) => project.provide('registries', provided),
  startAll,
);
