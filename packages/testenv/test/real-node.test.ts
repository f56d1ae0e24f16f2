// The real node: kubelet v1.35.4 + containerd + runc against the run's control plane, with images
// from the run's real registry. Everything here runs real containers; nothing is simulated.
// The host checks come first and alone (one real node at a time on a machine).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  getInplaceUpdateState,
  hasUnexpectedRestart,
  InplaceUpdatePhaseCompleted,
  isInplaceUpdateCompleted,
  markUpdateCompleted,
  type Pod,
  SandboxPhaseLabelKey,
  triggerUpdateWithOptions,
} from '@agentbox/core';
import { SeededDigestResolver } from '@agentbox/core/testing';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  createTestNamespace,
  holdRealNodeLock,
  kubeConfigFor,
  type PushedRunnableImage,
  pushRunnableImage,
  type RealNode,
  type RealNodeLock,
  registryFromProvided,
  retag,
  startKubeletSimulator,
  startNodeBinder,
  startRealNode,
} from '../src/index.js';
import { captureHostState } from '../src/node/capture-host-state.js';
import {
  p50max,
  podClient,
  podOn,
  repoRoot,
  runsDigest,
  statusOf,
  statusShape,
  waitForPod,
  waitUntil,
  writeResult,
} from './real-node-helpers.js';

// Generous: a loaded 2-core machine can be slow, and nothing here asserts on time.
vi.setConfig({ testTimeout: 180_000 });

const access = inject('controlPlane');
const provided = inject('registries').none;
const registry = registryFromProvided(provided);
const logRoot = join(repoRoot, '.test-results', 'real-node');

const figures = {
  nodeStartToReadyMs: [] as number[],
  podCreateToRunningMs: [] as number[],
  swapToReadyMs: [] as number[],
};

function kubelet(): string {
  if (access.kubelet === undefined) throw new Error('no kubelet was built (the real node needs Linux)');
  return access.kubelet;
}

afterAll(() => {
  const result = {
    nodeStartToReadyMs: p50max(figures.nodeStartToReadyMs),
    podCreateToRunningMs: p50max(figures.podCreateToRunningMs),
    swapToNewContainerReadyMs: p50max(figures.swapToReadyMs),
    kubeletColdBuildSeconds: access.binaryBuildSeconds.kubelet,
    kubeletBuiltInThisRun: access.builtInThisRun,
  };
  const file = writeResult('real-node.json', result);
  const f = (x: { p50: number; max: number } | undefined) =>
    x === undefined ? 'n/a' : `p50 ${Math.round(x.p50)} ms, max ${Math.round(x.max)} ms`;
  console.log(
    `real node: kubelet + containerd start → node Ready ${f(result.nodeStartToReadyMs)}; ` +
      `pod create → Running ${f(result.podCreateToRunningMs)}; image swap → new container Ready ` +
      `${f(result.swapToNewContainerReadyMs)}; kubelet cold build ${result.kubeletColdBuildSeconds ?? '?'} s` +
      `${result.kubeletBuiltInThisRun ? ' (in this run)' : ' (cached)'}; figures in ${file}`,
  );
});

async function createRunning(core: CoreV1Api, ns: string, pod: V1Pod, digest: string): Promise<V1Pod> {
  const t0 = performance.now();
  await core.createNamespacedPod({ namespace: ns, body: pod });
  const name = pod.metadata?.name ?? '';
  const running = await waitForPod(core, ns, name, 'Running', (p) => runsDigest(p, digest));
  figures.podCreateToRunningMs.push(performance.now() - t0);
  return running;
}

describe('host hygiene', () => {
  // No other real node on this machine may run between the two snapshots.
  let lock: RealNodeLock;
  beforeAll(async () => {
    lock = await holdRealNodeLock();
  }, 900_000);
  afterAll(async () => {
    await lock?.release();
  });

  it('leaves sysctls, firewall, mounts, interfaces, processes, cgroups and folders as they were after stop()', async () => {
    const before = captureHostState();
    const kc = kubeConfigFor(access);
    const node = await startRealNode(kc, {
      kubelet: kubelet(),
      registry,
      logDir: join(logRoot, 'hygiene-stop'),
      takeLock: false,
    });
    figures.nodeStartToReadyMs.push(node.timings.startToReadyMs);
    try {
      const ns = await createTestNamespace(kc, 'real-node-hygiene');
      const core = kc.makeApiClient(CoreV1Api);
      const image = await pushRunnableImage(registry, { repository: 'real-node/hygiene' });
      await createRunning(
        core,
        ns,
        podOn(node.nodeName, 'p', [{ name: 'main', image: image.reference }]),
        image.digest,
      );
      const during = captureHostState();
      // The node did change the host while it ran (so the comparison below means something).
      expect(during.interfaces).not.toEqual(before.interfaces);
      expect(during.mounts.length).toBeGreaterThan(before.mounts.length);
    } finally {
      await node.stop();
    }
    expect(captureHostState()).toEqual(before);
    expect(node.logs().guard).toContain('host restored');
  });

  it('is restored by the guard after the test process is SIGKILLed', async () => {
    const before = captureHostState();
    const logDir = join(logRoot, 'hygiene-sigkill');
    const child = spawn(
      process.execPath,
      [
        '--conditions=@agentbox/source',
        '--import',
        'tsx',
        'packages/testenv/test/fixtures/real-node-child.ts',
      ],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          RN_SERVER: access.server,
          RN_TOKEN: access.token,
          RN_CA: access.caData,
          RN_KUBELET: kubelet(),
          RN_REGISTRY_HOST: provided.host,
          RN_REGISTRY_URL: provided.url,
          RN_LOG_DIR: logDir,
          RN_TAKE_LOCK: 'false',
        },
      },
    );
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await waitUntil(
      'the child runs a pod on its real node',
      () => {
        if (child.exitCode !== null) throw new Error(`the child exited early:\n${output}`);
        return output.includes('RUNNING ');
      },
      120_000,
    );
    const during = captureHostState();
    expect(during.processes.some((p) => p.startsWith('kubelet'))).toBe(true);
    child.kill('SIGKILL');
    await exited;
    await waitUntil('the guard restores the host', () => {
      const state = (() => {
        try {
          return readFileSync(join(logDir, 'guard.state'), 'utf8').trim();
        } catch {
          return '';
        }
      })();
      if (state === 'cleanup-failed') throw new Error(readFileSync(join(logDir, 'guard.log'), 'utf8'));
      return state === 'clean';
    });
    expect(readFileSync(join(logDir, 'guard.log'), 'utf8')).toContain('died');
    expect(captureHostState()).toEqual(before);
  });
});

describe('on the real node', () => {
  let kc: KubeConfig;
  let core: CoreV1Api;
  let ns: string;
  let node: RealNode;
  const push = (
    spec: Omit<Parameters<typeof pushRunnableImage>[1], 'repository'> & { repository?: string } = {},
  ) => pushRunnableImage(registry, { repository: 'real-node/app', ...spec });
  // The digests of every image the tests pushed, as a registry would answer.
  const resolver = new SeededDigestResolver();
  const known = (image: PushedRunnableImage) => {
    resolver.setDigest(image.reference, image.digest);
    resolver.setConfigDigest(image.reference, image.configDigest);
    resolver.setConfigDigest(image.digest, image.configDigest);
    return image;
  };

  beforeAll(async () => {
    kc = kubeConfigFor(access);
    core = kc.makeApiClient(CoreV1Api);
    ns = await createTestNamespace(kc, 'real-node');
    node = await startRealNode(kc, { kubelet: kubelet(), registry, logDir: join(logRoot, 'scenarios') });
    figures.nodeStartToReadyMs.push(node.timings.startToReadyMs);
  }, 900_000);

  afterAll(async () => {
    await node?.stop();
  });

  /** Changes the pod's image in place and waits until the new container runs the target digest. */
  async function swap(name: string, target: PushedRunnableImage, container = 'main'): Promise<V1Pod> {
    const pod = await core.readNamespacedPod({ namespace: ns, name });
    for (const c of pod.spec?.containers ?? []) if (c.name === container) c.image = target.reference;
    const t0 = performance.now();
    await core.replaceNamespacedPod({ namespace: ns, name, body: pod });
    const done = await waitForPod(core, ns, name, `runs ${target.reference}`, (p) =>
      runsDigest(p, target.digest, container),
    );
    figures.swapToReadyMs.push(performance.now() - t0);
    return done;
  }

  it('swaps an image in place: new containerd:// containerID, target digest, restartCount + 1, lastState Completed (SIGTERM handled)', async () => {
    const a = await push();
    const b = await push({ kind: 'oci' });
    const before = await createRunning(
      core,
      ns,
      podOn(node.nodeName, 'swap', [{ name: 'main', image: a.reference }]),
      a.digest,
    );
    const old = statusOf(before);
    expect(old?.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(old?.imageID).toBe(`${registry.host}/real-node/app@${a.digest}`);
    const after = statusOf(await swap('swap', b));
    expect(after?.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(after?.containerID).not.toBe(old?.containerID);
    expect(after?.imageID).toBe(`${registry.host}/real-node/app@${b.digest}`);
    expect(after?.restartCount).toBe((old?.restartCount ?? 0) + 1);
    expect(after?.lastState?.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
      containerID: old?.containerID,
    });
  });

  it('kills a container that ignores SIGTERM after the grace period (137 Error), and runs an OCI index', async () => {
    const a = await push({ app: 'ignore-sigterm' });
    const b = await push({ kind: 'oci-index' });
    const before = await createRunning(
      core,
      ns,
      podOn(node.nodeName, 'stubborn', [{ name: 'main', image: a.reference }]),
      a.digest,
    );
    const after = statusOf(await swap('stubborn', b));
    // For an index, imageID holds the index digest (not the platform manifest's).
    expect(after?.imageID).toBe(`${registry.host}/real-node/app@${b.digest}`);
    expect(after?.lastState?.terminated).toMatchObject({
      exitCode: 137,
      reason: 'Error',
      containerID: statusOf(before)?.containerID,
    });
  });

  it('core alone: triggerUpdateWithOptions → kubelet → isInplaceUpdateCompleted → markUpdateCompleted', async () => {
    const idle = known(await push({ kind: 'docker-list' }));
    const work = known(await push());
    const pods = podClient(core);
    await createRunning(
      core,
      ns,
      podOn(node.nodeName, 'core', [{ name: 'main', image: idle.reference }], {
        [SandboxPhaseLabelKey]: 'idle',
      }),
      idle.digest,
    );
    const triggered = await triggerUpdateWithOptions(pods, (await pods.getPod(ns, 'core')) as Pod, {
      containerImages: { main: work.reference },
      targetPodPhase: 'running',
    });
    expect(triggered.metadata?.labels?.[SandboxPhaseLabelKey]).toBe('starting');
    // Before kubelet has replaced the container, the update is not complete.
    expect(await isInplaceUpdateCompleted(triggered, resolver)).toBe(false);
    const t0 = performance.now();
    await waitUntil('isInplaceUpdateCompleted', async () =>
      isInplaceUpdateCompleted(await pods.getPod(ns, 'core'), resolver),
    );
    figures.swapToReadyMs.push(performance.now() - t0);
    const marked = await markUpdateCompleted(pods, triggered, resolver);
    expect(marked?.metadata?.labels?.[SandboxPhaseLabelKey]).toBe('running');
    const state = getInplaceUpdateState(marked);
    expect(state?.phase).toBe(InplaceUpdatePhaseCompleted);
    expect(state?.stableContainerStatuses?.main?.containerID).toBe(statusOf(marked as V1Pod)?.containerID);
    expect(hasUnexpectedRestart(marked)).toBe(false);
  });

  it('core alone: a tag with the same digest still replaces the container and completes', async () => {
    const first = known(await push());
    const pods = podClient(core);
    const before = await createRunning(
      core,
      ns,
      podOn(node.nodeName, 'same-digest', [{ name: 'main', image: first.reference }], {
        [SandboxPhaseLabelKey]: 'idle',
      }),
      first.digest,
    );
    const tag = `same-${first.tag}`;
    await retag(registry, first.repository, first.tag, tag);
    const alias = known({ ...first, tag, reference: `${registry.host}/${first.repository}:${tag}` });
    const triggered = await triggerUpdateWithOptions(pods, before as Pod, {
      containerImages: { main: alias.reference },
      targetPodPhase: 'running',
    });
    await waitUntil('isInplaceUpdateCompleted', async () =>
      isInplaceUpdateCompleted(await pods.getPod(ns, 'same-digest'), resolver),
    );
    const marked = (await markUpdateCompleted(pods, triggered, resolver)) as V1Pod;
    const status = statusOf(marked);
    expect(status?.containerID).not.toBe(statusOf(before)?.containerID);
    expect(status?.imageID).toBe(`${registry.host}/${first.repository}@${first.digest}`);
    // containerd names the image record it already had: either tag may be reported for the same content.
    expect([first.reference, alias.reference]).toContain(status?.image);
  });

  it('core alone: a failed pull keeps the update pending, a rollback completes', async () => {
    const good = known(await push());
    const pods = podClient(core);
    const before = await createRunning(
      core,
      ns,
      podOn(node.nodeName, 'rollback', [{ name: 'main', image: good.reference }], {
        [SandboxPhaseLabelKey]: 'idle',
      }),
      good.digest,
    );
    const missing = `${registry.host}/real-node/app:missing-${good.tag}`;
    resolver.setDigest(missing, 'sha256:0000000000000000000000000000000000000000000000000000000000000000');
    await triggerUpdateWithOptions(pods, before as Pod, {
      containerImages: { main: missing },
      targetPodPhase: 'running',
    });
    const failing = await waitForPod(core, ns, 'rollback', 'a pull failure', (p) =>
      ['ErrImagePull', 'ImagePullBackOff'].includes(statusOf(p)?.state?.waiting?.reason ?? ''),
    );
    // kubelet keeps the old container's ID and digest beside the waiting state.
    expect(statusOf(failing)?.imageID).toBe(statusOf(before)?.imageID);
    expect(statusOf(failing)?.lastState?.terminated?.containerID).toBe(statusOf(before)?.containerID);
    expect(await isInplaceUpdateCompleted(failing as Pod, resolver)).toBe(false);
    const rollback = known(await push());
    const back = await triggerUpdateWithOptions(pods, failing as Pod, {
      containerImages: { main: rollback.reference },
      targetPodPhase: 'running',
    });
    await waitUntil('the rollback completes', async () =>
      isInplaceUpdateCompleted(await pods.getPod(ns, 'rollback'), resolver),
    );
    const marked = (await markUpdateCompleted(pods, back, resolver)) as V1Pod;
    expect(statusOf(marked)?.imageID).toBe(`${registry.host}/real-node/app@${rollback.digest}`);
    expect(marked.metadata?.labels?.[SandboxPhaseLabelKey]).toBe('running');
  });

  it('core alone: an OOM kill under a memory limit is an unexpected restart', async () => {
    const idle = known(await push());
    const hog = known(await push({ app: 'oom', env: { AGENTBOX_OOM_AFTER: '6' } }));
    const pods = podClient(core);
    const before = await createRunning(
      core,
      ns,
      podOn(
        node.nodeName,
        'oom',
        [{ name: 'main', image: idle.reference, resources: { limits: { memory: '48Mi' } } }],
        { [SandboxPhaseLabelKey]: 'idle' },
      ),
      idle.digest,
    );
    const triggered = await triggerUpdateWithOptions(pods, before as Pod, {
      containerImages: { main: hog.reference },
      targetPodPhase: 'running',
    });
    await waitUntil('isInplaceUpdateCompleted', async () =>
      isInplaceUpdateCompleted(await pods.getPod(ns, 'oom'), resolver),
    );
    expect(await markUpdateCompleted(pods, triggered, resolver)).toBeDefined();
    await waitUntil(
      'hasUnexpectedRestart',
      async () => hasUnexpectedRestart(await pods.getPod(ns, 'oom')),
      120_000,
    );
    const killed = statusOf(await core.readNamespacedPod({ namespace: ns, name: 'oom' }));
    expect(killed?.lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  });

  it('core alone: a sidecar that restarts is not an unexpected restart', async () => {
    const idle = known(await push());
    const work = known(await push());
    const sidecar = await push({ app: 'exit', env: { AGENTBOX_EXIT_AFTER: '4', AGENTBOX_EXIT_CODE: '1' } });
    const pods = podClient(core);
    const pod = podOn(
      node.nodeName,
      'sidecar',
      [
        { name: 'main', image: idle.reference },
        { name: 'sidecar', image: sidecar.reference },
      ],
      { [SandboxPhaseLabelKey]: 'idle' },
    );
    const before = await createRunning(core, ns, pod, idle.digest);
    const triggered = await triggerUpdateWithOptions(pods, before as Pod, {
      containerImages: { main: work.reference },
      targetPodPhase: 'running',
    });
    await waitUntil('isInplaceUpdateCompleted', async () =>
      isInplaceUpdateCompleted(await pods.getPod(ns, 'sidecar'), resolver),
    );
    const marked = (await markUpdateCompleted(pods, triggered, resolver)) as V1Pod;
    const sidecarAt = statusOf(marked, 'sidecar');
    const restarted = await waitForPod(
      core,
      ns,
      'sidecar',
      'a sidecar restart',
      (p) => (statusOf(p, 'sidecar')?.restartCount ?? 0) > (sidecarAt?.restartCount ?? 0),
      120_000,
    );
    expect(statusOf(restarted, 'sidecar')?.lastState?.terminated?.exitCode).toBe(1);
    expect(statusOf(restarted)?.containerID).toBe(statusOf(marked)?.containerID);
    expect(hasUnexpectedRestart(restarted as Pod)).toBe(false);
  });

  it('the simulator with realNodeFidelity writes the same status shape as the real node for the same swap', async () => {
    const simNs = await createTestNamespace(kc, 'real-node-sim');
    const sim = await startKubeletSimulator(kc, {
      namespace: simNs,
      realNodeFidelity: true,
      handlesSigterm: true,
    });
    const scenario = async (namespace: string, nodeName: string) => {
      const a = await push();
      const b = await push();
      const pod = podOn(nodeName, 'compare', [{ name: 'main', image: a.reference }]);
      await core.createNamespacedPod({ namespace, body: pod });
      const first = await waitForPod(core, namespace, 'compare', 'a', (p) => runsDigest(p, a.digest));
      const latest = await core.readNamespacedPod({ namespace, name: 'compare' });
      const c = latest.spec?.containers[0];
      if (c) c.image = b.reference;
      await core.replaceNamespacedPod({ namespace, name: 'compare', body: latest });
      const second = await waitForPod(core, namespace, 'compare', 'b', (p) => runsDigest(p, b.digest));
      return [statusShape(first), statusShape(second)];
    };
    try {
      const real = await scenario(ns, node.nodeName);
      const simulated = await scenario(simNs, sim.nodeName);
      expect(simulated).toEqual(real);
      expect(sim.errors()).toEqual([]);
    } finally {
      await sim.stop();
    }
  });

  it('flip-flopping between two images hits CrashLoopBackOff on the fourth swap, as the simulator models it', async () => {
    const a = await push();
    const b = await push();
    await createRunning(
      core,
      ns,
      podOn(node.nodeName, 'flip-flop', [{ name: 'main', image: a.reference }]),
      a.digest,
    );
    let backOffAt: number | undefined;
    for (let n = 1; n <= 5 && backOffAt === undefined; n++) {
      const target = n % 2 === 1 ? b : a;
      const pod = await core.readNamespacedPod({ namespace: ns, name: 'flip-flop' });
      const c = pod.spec?.containers[0];
      if (c) c.image = target.reference;
      await core.replaceNamespacedPod({ namespace: ns, name: 'flip-flop', body: pod });
      const seen = await waitForPod(
        core,
        ns,
        'flip-flop',
        `swap ${n}`,
        (p) => runsDigest(p, target.digest) || statusOf(p)?.state?.waiting?.reason === 'CrashLoopBackOff',
      );
      if (statusOf(seen)?.state?.waiting?.reason === 'CrashLoopBackOff') backOffAt = n;
    }
    expect(backOffAt).toBe(4);
    // After kubelet's back-off (10 s) the container starts anyway.
    await waitForPod(core, ns, 'flip-flop', 'a after the back-off', (p) => runsDigest(p, a.digest));
  });

  it('startNodeBinder schedules a pod made without spec.nodeName onto the real node', async () => {
    const binderNs = await createTestNamespace(kc, 'real-node-binder');
    const binder = await startNodeBinder(kc, { namespace: binderNs, nodeName: node.nodeName });
    try {
      const image = await push();
      await core.createNamespacedPod({
        namespace: binderNs,
        body: {
          metadata: { name: 'unscheduled' },
          spec: { containers: [{ name: 'main', image: image.reference }] },
        },
      });
      const pod = await waitForPod(core, binderNs, 'unscheduled', 'running', (p) =>
        runsDigest(p, image.digest),
      );
      expect(pod.spec?.nodeName).toBe(node.nodeName);
      expect(binder.bound()).toEqual([`${binderNs}/unscheduled`]);
      expect(binder.errors()).toEqual([]);
    } finally {
      await binder.stop();
    }
  });
});
