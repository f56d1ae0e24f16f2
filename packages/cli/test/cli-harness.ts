// What the CLI tests share: the bin bundled once per test file, run as a child process against the run's real
// control plane, registry and kubelet simulator, with a controller started for the test's namespace.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningController, silentLogger, startController } from '@agentbox/controller';
import {
  createTestNamespace,
  type KubeletSimulator,
  kubeConfigFor,
  kubeconfigYaml,
  pushImage,
  registryFromProvided,
  startKubeletSimulator,
} from '@agentbox/testenv';
import type { KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';

const cliDir = fileURLToPath(new URL('..', import.meta.url));

/** One finished run of the CLI. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Every output any CLI run of this process printed: the secret checks grep it. */
export const allOutput: string[] = [];

/**
 * Bundles the bin with the package's own build script into a folder of its own under `dist/` (so test files
 * running at once never share one), the externals resolving from the package's node_modules.
 */
export async function buildCli(): Promise<{ bin: string; remove(): void }> {
  mkdirSync(join(cliDir, 'dist'), { recursive: true });
  const outdir = mkdtempSync(join(cliDir, 'dist', 'test-'));
  const { bundle } = (await import(join(cliDir, 'build.mjs'))) as { bundle(outdir: string): Promise<void> };
  await bundle(outdir);
  return { bin: join(outdir, 'agentbox.js'), remove: () => rmSync(outdir, { recursive: true, force: true }) };
}

/** Runs `node BIN ...args`; the output is recorded for the secret checks. */
export function runCli(
  bin: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; command?: string[] } = {},
): Promise<CliRun> {
  const [cmd, ...pre] = options.command ?? [process.execPath, bin];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd as string, [...pre, ...args], {
      env: { ...process.env, NO_COLOR: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      allOutput.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A namespace with a node, the demo images, a controller, and a kubeconfig file defaulting to it. */
export interface CliFixture {
  namespace: string;
  kc: KubeConfig;
  kubeconfigPath: string;
  kubectlPath: string;
  token: string;
  images: { idle: string; app: string; app2: string; missing: string };
  /** Runs the CLI with `--kubeconfig` of the fixture. */
  agentbox(args: string[], options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliRun>;
  /** Runs kubectl v1.35.4 with the same kubeconfig. */
  kubectl(args: string[]): Promise<CliRun>;
  bin: string;
  close(): Promise<void>;
}

/** Starts the fixture of one test file. */
export async function startCliFixture(prefix: string): Promise<CliFixture> {
  const access = inject('controlPlane');
  const kc = kubeConfigFor(access);
  const namespace = await createTestNamespace(kc, prefix);
  mkdirSync(join(cliDir, 'dist'), { recursive: true });
  const dir = mkdtempSync(join(cliDir, 'dist', 'test-kc-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const config = JSON.parse(kubeconfigYaml(access)) as { contexts: { context: { namespace: string } }[] };
  for (const c of config.contexts) c.context.namespace = namespace;
  writeFileSync(kubeconfigPath, JSON.stringify(config), { mode: 0o600 });

  const registry = registryFromProvided(inject('registries').none);
  const repo = `${namespace}/app`;
  const [idle, app, app2] = await Promise.all([
    pushImage(registry, { repository: `${namespace}/idle`, tag: 'v1' }),
    pushImage(registry, { repository: repo, tag: 'v1' }),
    pushImage(registry, { repository: repo, tag: 'v2' }),
  ]);
  const built = await buildCli();
  let node: KubeletSimulator | undefined;
  let controller: RunningController | undefined;
  try {
    node = await startKubeletSimulator(kc, { namespace, nodeName: `${namespace}-node` });
    controller = await startController({
      kubeConfig: kc,
      namespace,
      metricsAddress: '',
      healthAddress: '',
      logger: silentLogger,
    });
    await controller.ready;
  } catch (err) {
    await controller?.stop();
    await node?.stop();
    built.remove();
    throw err;
  }
  return {
    namespace,
    kc,
    kubeconfigPath,
    kubectlPath: access.kubectl,
    token: access.token,
    images: {
      idle: idle.reference,
      app: app.reference,
      app2: app2.reference,
      missing: `${registry.host}/${repo}:does-not-exist`,
    },
    bin: built.bin,
    agentbox: (args, options) => runCli(built.bin, ['--kubeconfig', kubeconfigPath, ...args], options),
    kubectl: (args) => runCli('', args, { command: [access.kubectl, '--kubeconfig', kubeconfigPath] }),
    async close() {
      await controller?.stop();
      await node?.stop();
      built.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The lines of a table (kubectl layout) as arrays of cells, split on runs of two or more spaces. */
export function tableOf(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));
}
