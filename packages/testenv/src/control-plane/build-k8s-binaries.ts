import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlPlaneError } from './control-plane-error.js';

/** Where kube-apiserver and etcd live, and whether this call had to build them. */
export interface K8sBinaries {
  /** Folder holding `kube-apiserver` and `etcd`. */
  dir: string;
  kubeApiServer: string;
  etcd: string;
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
 * Runs `tools/k8s-testenv/build.sh`, which builds kube-apiserver and etcd from Go
 * modules when its cache is cold (10–25 min on 2 cores) and returns at once when warm.
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
  if (code !== 0 || dir === '' || !existsSync(kubeApiServer) || !existsSync(etcd)) {
    const tail = stderr.trimEnd().split('\n').slice(-30).join('\n');
    throw new ControlPlaneError(
      'BinariesUnavailable',
      `building kube-apiserver and etcd failed (${script} exited with ${code}); the integration tests cannot run without them:\n${tail}`,
    );
  }
  const secondsFile = join(dir, 'build-seconds');
  const doneFile = join(dir, '.done');
  const buildSeconds = existsSync(secondsFile) ? Number(readFileSync(secondsFile, 'utf8').trim()) : undefined;
  return {
    dir,
    kubeApiServer,
    etcd,
    built: /built in \d+s/.test(stderr),
    buildSeconds: Number.isFinite(buildSeconds) ? buildSeconds : undefined,
    builtAt: existsSync(doneFile) ? statSync(doneFile).mtime : undefined,
  };
}
