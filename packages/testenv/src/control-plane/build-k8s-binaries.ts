import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlPlaneError } from './control-plane-error.js';

/** Where kube-apiserver, etcd, kubectl and kubelet live, and whether this call had to build them. */
export interface K8sBinaries {
  /** Folder holding `kube-apiserver`, `etcd`, `kubectl` and (on Linux) `kubelet`. */
  dir: string;
  kubeApiServer: string;
  etcd: string;
  /** kubectl v1.35.4, for tests that drive the control plane the way a user does. */
  kubectl: string;
  /** kubelet v1.35.4 for the real node; undefined where the script does not build it (not Linux). */
  kubelet: string | undefined;
  /** Seconds each binary's last cold build took (`<dir>/<name>-build-seconds`), by binary name. */
  binaryBuildSeconds: Readonly<Record<string, number>>;
  /** True when this call ran a cold build (false: the cache was warm). */
  built: boolean;
  /** Seconds the (last) cold build took, from `<dir>/build-seconds`. */
  buildSeconds: number | undefined;
  /** When the cached build finished (mtime of `<dir>/.done`). */
  builtAt: Date | undefined;
}

/** The repository's `tools/k8s-testenv/build.sh`, found relative to this package (src or dist). */
export function defaultBuildScript(): string {
  return fileURLToPath(new URL('../../../../tools/k8s-testenv/build.sh', import.meta.url));
}

/**
 * Runs `tools/k8s-testenv/build.sh`, which builds kube-apiserver, etcd, kubectl and
 * (on Linux) kubelet from Go modules when its cache is cold (10–25 min on 2 cores) and returns at once when warm.
 * Its progress is forwarded to our stderr so a long build is visibly alive. Throws a
 * `ControlPlaneError` (code `BinariesUnavailable`) when the build fails: the integration
 * tests must never be skipped silently.
 */
export async function buildK8sBinaries(script: string = defaultBuildScript()): Promise<K8sBinaries> {
  if (!existsSync(script)) {
    throw new ControlPlaneError('BinariesUnavailable', `k8s-testenv build script not found: ${script}`);
  }
  const child = spawn(script, [], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    process.stderr.write(chunk);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).catch((err: unknown) => {
    throw new ControlPlaneError('BinariesUnavailable', `could not run ${script}`, { cause: err });
  });
  const dir = stdout.trim().split('\n').pop() ?? '';
  const kubeApiServer = join(dir, 'kube-apiserver');
  const etcd = join(dir, 'etcd');
  const kubectl = join(dir, 'kubectl');
  const kubelet = process.platform === 'linux' ? join(dir, 'kubelet') : undefined;
  const required = [kubeApiServer, etcd, kubectl, ...(kubelet === undefined ? [] : [kubelet])];
  if (code !== 0 || dir === '' || !required.every((file) => existsSync(file))) {
    const tail = stderr.trimEnd().split('\n').slice(-30).join('\n');
    throw new ControlPlaneError(
      'BinariesUnavailable',
      `building the Kubernetes binaries failed (${script} exited with ${code}); the integration tests cannot run without them:\n${tail}`,
    );
  }
  const secondsFile = join(dir, 'build-seconds');
  const doneFile = join(dir, '.done');
  const buildSeconds = existsSync(secondsFile) ? Number(readFileSync(secondsFile, 'utf8').trim()) : undefined;
  const binaryBuildSeconds: Record<string, number> = {};
  for (const name of ['etcd', 'kube-apiserver', 'kubectl', 'kubelet']) {
    const file = join(dir, `${name}-build-seconds`);
    const seconds = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : Number.NaN;
    if (Number.isFinite(seconds)) binaryBuildSeconds[name] = seconds;
  }
  return {
    dir,
    kubeApiServer,
    etcd,
    kubectl,
    kubelet,
    binaryBuildSeconds,
    built: /built in \d+s/.test(stderr),
    buildSeconds: Number.isFinite(buildSeconds) ? buildSeconds : undefined,
    builtAt: existsSync(doneFile) ? statSync(doneFile).mtime : undefined,
  };
}
