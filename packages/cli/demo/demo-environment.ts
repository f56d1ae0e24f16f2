// The demo's local environment, on loopback only: the testenv control plane with the CRDs, one real registry
// with the demo images, a node, and the controller as a child process. The node is the real one (kubelet
// v1.35.4 + containerd, with a one-node binder as the scheduler) when this host can run it — Linux, root,
// the Debian packages and the built kubelet — and the kubelet simulator otherwise; the log says which and
// why. DEMO_NODE=real insists on the real node (failing when it cannot run), DEMO_NODE=simulator skips it.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  agentboxCrdFiles,
  buildK8sBinaries,
  type ControlPlane,
  installCrds,
  kubeconfigYaml,
  pushImage,
  pushRunnableImage,
  realNodeProblems,
  startControlPlane,
  startKubeletSimulator,
  startNodeBinder,
  startRealNode,
  startRegistry,
  type TestRegistry,
} from '@agentbox/testenv';

/** What the demo runs against. */
export interface DemoEnvironment {
  /** A kubeconfig file of the control plane's admin, namespace `demo`. */
  kubeconfigPath: string;
  namespace: string;
  images: { idle: string; app: string; app2: string; missing: string };
  controlPlane: ControlPlane;
  /** Pids of every process the demo started (control plane, registry, controller). */
  pids(): number[];
  /** Folder of the controller's log. */
  workDir: string;
  stop(): Promise<void>;
}

/** Starts everything; on a failure, stops what already started. */
export async function startDemoEnvironment(options: {
  cliBin: string;
  log: (line: string) => void;
  /** Node arguments that start the controller before `--kubeconfig …`. Default: the CLI's `controller` command. */
  controllerArgs?: string[];
}): Promise<DemoEnvironment> {
  const { log } = options;
  const workDir = mkdtempSync(join(tmpdir(), 'agentbox-demo-'));
  const namespace = 'demo';
  const stops: (() => Promise<void>)[] = [];
  let controller: ChildProcess | undefined;
  let registry: TestRegistry | undefined;
  let controlPlane: ControlPlane | undefined;
  const stop = async () => {
    for (const fn of stops.splice(0).reverse()) await fn().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    let t = performance.now();
    controlPlane = await startControlPlane();
    const cp = controlPlane;
    stops.push(() => cp.stop());
    await installCrds(cp.kubeConfig, agentboxCrdFiles());
    log(`control plane: etcd + kube-apiserver v1.35.4 on ${cp.server}, CRDs installed (${secs(t)})`);

    // A kubeconfig of our own whose context defaults to the demo namespace.
    const kubeconfigPath = join(workDir, 'kubeconfig');
    const kubeconfig = JSON.parse(kubeconfigYaml(cp)) as { contexts: { context: { namespace: string } }[] };
    for (const c of kubeconfig.contexts) c.context.namespace = namespace;
    writeFileSync(kubeconfigPath, `${JSON.stringify(kubeconfig, null, 2)}\n`, { mode: 0o600 });
    const core = cp.kubeConfig;
    await (async () => {
      const { CoreV1Api } = await import('@kubernetes/client-node');
      await core.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    })();

    const mode = process.env.DEMO_NODE ?? 'auto';
    const kubelet = mode === 'simulator' ? undefined : (await buildK8sBinaries()).kubelet;
    const problems =
      mode === 'simulator' ? ['DEMO_NODE=simulator'] : realNodeProblems({ kubelet: kubelet ?? '' });
    if (mode === 'real' && problems.length > 0) {
      throw new Error(`DEMO_NODE=real, but this host cannot run a real node: ${problems.join('; ')}`);
    }
    const real = problems.length === 0;

    t = performance.now();
    registry = await startRegistry({ auth: 'none' });
    const reg = registry;
    stops.push(() => reg.stop());
    // A real node runs the images: busybox-based ones whose app exits on SIGTERM.
    const push = (repository: string, tag: string) =>
      real
        ? pushRunnableImage(reg, { repository, tag, app: 'graceful' })
        : pushImage(reg, { repository, tag });
    const idle = await push('demo/idle', 'v1');
    const app = await push('demo/app', 'v1');
    const app2 = await push('demo/app', 'v2');
    log(`registry: CNCF Distribution on ${reg.url} with demo/idle:v1, demo/app:v1, demo/app:v2 (${secs(t)})`);

    if (real) {
      t = performance.now();
      const node = await startRealNode(cp.kubeConfig, {
        kubelet: kubelet as string,
        registry: reg,
        logDir: join(workDir, 'node'),
      });
      stops.push(() => node.stop());
      const binder = await startNodeBinder(cp.kubeConfig, { namespace, nodeName: node.nodeName });
      stops.push(() => binder.stop());
      log(
        `node: a real node, kubelet v1.35.4 + containerd (${node.nodeName}, Ready in ${secs(t)}; ` +
          'a one-node binder schedules the pods; the host is restored when the demo ends)',
      );
    } else {
      const sim = await startKubeletSimulator(cp.kubeConfig, {
        namespace,
        nodeName: 'demo-node',
        pullDelayMs: 150,
      });
      stops.push(() => sim.stop());
      log(
        'node: the kubelet simulator (binds pods, pulls from the registry, runs containers as status updates); ' +
          `no real node because ${problems.join('; ')}`,
      );
    }

    t = performance.now();
    const logFile = join(workDir, 'controller.log');
    const out = createWriteStream(logFile);
    controller = spawn(
      process.execPath,
      [
        ...(options.controllerArgs ?? [options.cliBin, 'controller']),
        '--kubeconfig',
        kubeconfigPath,
        '--metrics-bind-address',
        '127.0.0.1:0',
        '--health-probe-bind-address',
        '127.0.0.1:0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const ctl = controller;
    ctl.stdout?.pipe(out);
    ctl.stderr?.pipe(out);
    stops.push(async () => {
      if (ctl.exitCode !== null || ctl.signalCode !== null) return;
      const exited = new Promise((r) => ctl.once('exit', r));
      ctl.kill('SIGTERM');
      const timer = setTimeout(() => ctl.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    });
    await waitForControllerLog(ctl, logFile);
    log(`controller: agentbox controller (pid ${ctl.pid}), log ${logFile} (${secs(t)})`);

    const host = reg.host;
    return {
      kubeconfigPath,
      namespace,
      images: {
        idle: idle.reference,
        app: app.reference,
        app2: app2.reference,
        missing: `${host}/demo/app:does-not-exist`,
      },
      controlPlane: cp,
      workDir,
      pids: () => [cp.pids.etcd, cp.pids.apiServer, ...(ctl.pid ? [ctl.pid] : [])],
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Resolves once the controller logged that it runs; rejects when it exits first. */
async function waitForControllerLog(ctl: ChildProcess, logFile: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`the controller did not start in 30 s (log: ${logFile})`)),
      30_000,
    );
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      // The manager logs once its caches are synced and its workers run.
      if (/"msg":"caches synced/.test(seen)) {
        clearTimeout(timer);
        ctl.stdout?.off('data', onData);
        resolve();
      }
    };
    ctl.stdout?.on('data', onData);
    ctl.stderr?.on('data', onData);
    ctl.once('exit', (code) => {
      clearTimeout(timer);
      const tail = seen.trim().split('\n').slice(-15).join('\n');
      reject(new Error(`the controller exited with ${code}; its last output:\n${tail}`));
    });
  });
}

function secs(start: number): string {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}
