import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { buildK8sBinaries } from './build-k8s-binaries.js';
import { ControlPlaneError } from './control-plane-error.js';
import { withLogTail } from './internal/managed-process.js';
import { startEtcd } from './internal/start-etcd.js';
import { startKubeApiServer } from './internal/start-kube-apiserver.js';
import { type ControlPlaneAccess, kubeConfigFor, kubeconfigYaml } from './kube-config-for.js';

/** Options of {@link startControlPlane}. */
export interface ControlPlaneOptions {
  /** Folder holding `kube-apiserver` and `etcd`. Default: the folder `tools/k8s-testenv/build.sh` prints (building when cold). */
  binDir?: string;
  /** Where `etcd.log` and `kube-apiserver.log` go (kept after stop). Default: `logs/` in the run's temporary folder, removed by `stop()`. */
  logDir?: string;
  /** Parent of etcd's data folder. Default: `/dev/shm` when present (tmpfs), else the OS temp folder. */
  dataRoot?: string;
  /** Readiness deadline of each process. Default: 60 000 ms. */
  readyTimeoutMs?: number;
  /** Extra kube-apiserver flags, appended last. Default: none. */
  extraApiServerArgs?: readonly string[];
}

/** Every default of {@link ControlPlaneOptions} in one place. */
export function resolveControlPlaneOptions(options: ControlPlaneOptions = {}) {
  return {
    binDir: options.binDir,
    logDir: options.logDir,
    dataRoot: options.dataRoot ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir()),
    readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
    extraApiServerArgs: options.extraApiServerArgs ?? [],
  };
}

/** A running etcd + kube-apiserver pair. */
export interface ControlPlane extends ControlPlaneAccess {
  /** Admin client configuration. */
  kubeConfig: KubeConfig;
  /** Folder of `etcd.log` and `kube-apiserver.log`. */
  logDir: string;
  /** Process ids, for diagnostics (both are killed on exit, and by a watchdog if this process dies). */
  pids: { etcd: number; apiServer: number };
  /** Seconds from spawning etcd to a ready kube-apiserver (`etcd` + `apiServer`). */
  startSeconds: { etcd: number; apiServer: number; total: number };
  /** Stops kube-apiserver then etcd and removes the temporary folders. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts etcd (data on tmpfs) and kube-apiserver (static admin token, RBAC) on free
 * loopback ports and waits until both are ready. On failure both logs' tails are in
 * the error message, every started process is stopped and the run and data folders are removed.
 */
export async function startControlPlane(options?: ControlPlaneOptions): Promise<ControlPlane> {
  const o = resolveControlPlaneOptions(options);
  const binDir = o.binDir ?? (await buildK8sBinaries()).dir;
  const runDir = mkdtempSync(join(tmpdir(), 'agentbox-control-plane-'));
  const dataDir = mkdtempSync(join(o.dataRoot, 'agentbox-etcd-'));
  const logDir = o.logDir ?? join(runDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const cleanup = () => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(runDir, { recursive: true, force: true });
  };
  const token = randomBytes(24).toString('hex');
  const t0 = performance.now();
  let etcd: Awaited<ReturnType<typeof startEtcd>> | undefined;
  let api: Awaited<ReturnType<typeof startKubeApiServer>> | undefined;
  try {
    etcd = await startEtcd(join(binDir, 'etcd'), dataDir, logDir, o.readyTimeoutMs);
    const t1 = performance.now();
    api = await startKubeApiServer({
      binary: join(binDir, 'kube-apiserver'),
      dir: runDir,
      logDir,
      etcdUrl: etcd.url,
      token,
      timeoutMs: o.readyTimeoutMs,
      extraArgs: o.extraApiServerArgs,
    });
    const t2 = performance.now();
    const access = { server: api.server, token, caData: api.caData };
    const kubeconfigPath = join(runDir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfigYaml(access), { mode: 0o600 });
    let stopped: Promise<void> | undefined;
    const running = { etcd, api };
    return {
      ...access,
      kubeconfigPath,
      kubeConfig: kubeConfigFor(access),
      logDir,
      pids: { etcd: etcd.process.pid, apiServer: api.process.pid },
      startSeconds: { etcd: (t1 - t0) / 1000, apiServer: (t2 - t1) / 1000, total: (t2 - t0) / 1000 },
      stop() {
        stopped ??= (async () => {
          await running.api.process.stop();
          await running.etcd.process.stop();
          cleanup();
        })();
        return stopped;
      },
    };
  } catch (err) {
    // A process that failed its own start put its log tail in `err`; add etcd's when it was up.
    const failure = etcd && !api ? withLogTail(err, etcd.process, 15) : err;
    await api?.process.stop(1_000);
    await etcd?.process.stop(1_000);
    const detail = failure instanceof Error ? failure.message : String(failure);
    const message = `the test control plane did not start: ${detail}`;
    // The run folder holds the admin token and the service-account key: it goes whatever happens. A
    // caller's logDir is outside it and stays; the default one inside it goes, its tails are in `message`.
    cleanup();
    throw new ControlPlaneError('ControlPlaneStartFailed', message, { cause: err });
  }
}
