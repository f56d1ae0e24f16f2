import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { buildK8sBinaries } from '../control-plane/build-k8s-binaries.js';
import { installCrds } from '../control-plane/install-crds.js';
import type { ControlPlaneAccess } from '../control-plane/kube-config-for.js';
import { startControlPlane } from '../control-plane/start-control-plane.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

interface Shared {
  users: number;
  started: Promise<{ access: ControlPlaneAccess; stop: () => Promise<void> }>;
}

// Vitest runs a root-level global setup once for the root project and once more for
// every project that `extends` the root config, all in this same process: the control
// plane is started by the first call and shared, and stopped by the last teardown.
const SHARED = Symbol.for('agentbox.testenv.control-plane');
type WithShared = typeof globalThis & { [SHARED]?: Shared };

/**
 * Vitest global setup: builds (or reuses) kube-apiserver and etcd, starts one control
 * plane for the whole run, installs the CRDs of `deploy/crds/`, provides
 * `controlPlane` to test files and prints the start-up figures. A failure throws,
 * which fails the run loudly: the integration tests are never skipped.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const g = globalThis as WithShared;
  if (g[SHARED] === undefined) g[SHARED] = { users: 0, started: startOnce() };
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
  project.provide('controlPlane', running.access);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    delete g[SHARED];
    await running.stop();
  };
}

async function startOnce(): Promise<Awaited<Shared['started']>> {
  const buildStart = performance.now();
  const binaries = await buildK8sBinaries();
  const buildWall = (performance.now() - buildStart) / 1000;
  const logDir = join(root, '.test-results', 'control-plane');
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const cp = await startControlPlane({ binDir: binaries.dir, logDir });
  try {
    const crdDir = join(root, 'deploy', 'crds');
    const files = readdirSync(crdDir)
      .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
      .map((f) => join(crdDir, f));
    const crdStart = performance.now();
    const crds = await installCrds(cp.kubeConfig, files);
    const crdSeconds = (performance.now() - crdStart) / 1000;
    const figures = {
      warmStartSeconds: round(cp.startSeconds.total),
      etcdSeconds: round(cp.startSeconds.etcd),
      apiServerSeconds: round(cp.startSeconds.apiServer),
      crdInstallSeconds: round(crdSeconds),
      crds,
      coldBuildInThisRun: binaries.built,
      coldBuildSeconds: binaries.buildSeconds,
      binariesBuiltAt: binaries.builtAt?.toISOString(),
      buildScriptSeconds: round(buildWall),
    };
    writeFileSync(
      join(root, '.test-results', 'control-plane-startup.json'),
      `${JSON.stringify(figures, null, 2)}\n`,
    );
    const build = binaries.built
      ? `cold build in this run: ${binaries.buildSeconds} s`
      : `cached build from ${figures.binariesBuiltAt ?? 'an earlier run'} (its cold build took ${binaries.buildSeconds ?? '?'} s)`;
    console.log(
      `control plane: warm start of etcd + kube-apiserver ${figures.warmStartSeconds} s ` +
        `(etcd ${figures.etcdSeconds} s, kube-apiserver ${figures.apiServerSeconds} s), ` +
        `CRDs ${figures.crdInstallSeconds} s; binaries: ${build}; logs in ${logDir}`,
    );
  } catch (err) {
    await cp.stop();
    throw err;
  }
  const access = { server: cp.server, token: cp.token, caData: cp.caData, kubeconfigPath: cp.kubeconfigPath };
  return { access, stop: () => cp.stop() };
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}
