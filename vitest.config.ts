import { defineConfig } from 'vitest/config';

// One vitest run covers every package: units (`src/**/*.test.ts`, no services) and
// integration tests (`test/**/*.test.ts`) that share one real registry and one real
// control plane started by the global setup, once per run.
const source = { conditions: ['@agentbox/source'] };

export default defineConfig({
  resolve: source,
  ssr: { resolve: { conditions: ['@agentbox/source'] } },
  // Global setup files run in vitest's own `__vitest__` environment, which needs the condition too.
  environments: { __vitest__: { resolve: source } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // One real control plane (and one registry) per run, shared by every project's tests.
    globalSetup: [
      'packages/testenv/src/global-setup/control-plane.ts',
      'packages/testenv/src/global-setup/registry.ts',
    ],
    projects: [
      {
        extends: true,
        test: { name: 'core', include: ['packages/core/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'resolver-registry', include: ['packages/resolver-registry/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'resolver-cache', include: ['packages/resolver-cache/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'testenv', include: ['packages/testenv/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'controller', include: ['packages/controller/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'cli', include: ['packages/cli/**/*.test.ts'] },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['packages/core/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/index.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: '.test-results/coverage',
    },
  },
});
