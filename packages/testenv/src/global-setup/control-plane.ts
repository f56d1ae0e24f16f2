import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentboxCrdFiles } from '../control-plane/agentbox-crd-files.js';
import { buildK8sBinaries } from '../control-plane/build-k8s-binaries.js';
import { installCrds } from '../control-plane/install-crds.js';
import type { ProvidedControlPlane } from '../control-plane/kube-config-for.js';
import { startControlPlane } from '../control-plane/start-control-plane.js';
import { type SharedService, shareAcrossProjects } from './share-across-projects.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Vitest global setup: builds (or reuses) kube-apiserver, etcd, kubectl and kubelet, starts
 * one control plane for the whole run, installs the CRDs of `deploy/crds/`, provides
 * `controlPlane` (with the kubectl and kubelet paths) to test files and prints the start-up figures. A failure throws,
 * which fails the run loudly: the integration tests are never skipped.
 */
export default shareAcrossProjects<ProvidedControlPlane>(
  'control-plane',
  (project, access) => project.provide('controlPlane', access),
  startOnce,
);

async function startOnce(): Promise<SharedService<ProvidedControlPlane>> {
  const buildStart = performance.now();
  const binaries = await buildK8sBinaries();
  const buildWall = (performance.now() - buildStart) / 1000;
  const logDir = join(root, '.test-results', 'control-plane');
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const cp = await startControlPlane({ binDir: binaries.dir, logDir });
  try {
    const files = agentboxCrdFiles();
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
  const access: ProvidedControlPlane = {
    server: cp.server,
    token: cp.token,
    caData: cp.caData,
    kubeconfigPath: cp.kubeconfigPath,
    kubectl: binaries.kubectl,
    kubelet: binaries.kubelet,
    binaryBuildSeconds: binaries.binaryBuildSeconds,
    builtInThisRun: binaries.built,
  };
  return { provided: access, stop: () => cp.stop() };
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}
