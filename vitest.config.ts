import { existsSync, readdirSync } from 'node:fs';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// One vitest run covers every package. Each package under `packages/` gets two projects:
//   `<package>`              its units, `src/**/*.test.ts`: pure, no services, quick;
//   `<package>:integration`  its `test/**/*.test.ts`, against the real registries and the real
//                            control plane that the global setups start.
// A new package joins by existing: `packages/<name>/src` and `packages/<name>/test` are picked up
// as they appear, so `--project <name>` runs its units and `--project <name>:integration` its
// integration tests. The services start only for integration projects that have files to run,
// and once per run however many of them there are (see testenv's share-across-projects).
const source = { conditions: ['@agentbox/source'] };

const services = [
  'packages/testenv/src/global-setup/control-plane.ts',
  'packages/testenv/src/global-setup/registry.ts',
];

const packages = readdirSync(new URL('./packages/', import.meta.url), { withFileTypes: true })
  .filter(
    (entry) =>
      entry.isDirectory() && existsSync(new URL(`./packages/${entry.name}/package.json`, import.meta.url)),
  )
  .map((entry) => entry.name)
  .sort();

const projects: TestProjectInlineConfiguration[] = packages.flatMap((name) => [
  { extends: true, test: { name, include: [`packages/${name}/src/**/*.test.ts`] } },
  {
    extends: true,
    test: {
      name: `${name}:integration`,
      include: [`packages/${name}/test/**/*.test.ts`],
      globalSetup: services,
    },
  },
]);

// Packs every public package and installs the tarballs into a scratch consumer with npm.
projects.push({ extends: true, test: { name: 'packaging', include: ['scripts/packaging/**/*.test.ts'] } });

// The chaos runner's short profile: it starts its own control plane, registry and controller processes (no
// global setup) and takes a few minutes.
projects.push({
  extends: true,
  test: { name: 'chaos', include: ['bench/chaos/**/*.test.ts'], testTimeout: 900_000 },
});

export default defineConfig({
  resolve: source,
  ssr: { resolve: { conditions: ['@agentbox/source'] } },
  // Global setup files run in vitest's own `__vitest__` environment, which needs the condition too.
  environments: { __vitest__: { resolve: source } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // No global setup here: the root project's would run on every invocation, units included.
    projects,
    coverage: {
      provider: 'v8',
      include: ['packages/core/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/index.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: '.test-results/coverage',
    },
  },
});
