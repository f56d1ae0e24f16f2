// The simulator's opt-in behaviours learned from the real node (kubelet 1.35 + containerd).
import {
  CoreV1Api,
  type KubeConfig,
  type V1ContainerStatus,
  type V1Pod,
  Watch,
} from '@kubernetes/client-node';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createTestNamespace,
  type KubeletSimulator,
  type KubeletSimulatorOptions,
  kubeConfigFor,
  pushImage,
  type RegistryHandle,
  registryFromProvided,
  retag,
  startKubeletSimulator,
} from '../src/index.js';

let kc: KubeConfig;
let core: CoreV1Api;
let registry: RegistryHandle;
const running: KubeletSimulator[] = [];

beforeAll(() => {
  kc = kubeConfigFor(inject('controlPlane'));
  core = kc.makeApiClient(CoreV1Api);
  registry = registryFromProvided(inject('registries').none);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function setup(prefix: string, options: KubeletSimulatorOptions) {
  const namespace = await createTestNamespace(kc, prefix);
  const sim = await startKubeletSimulator(kc, { namespace, ...options });
  running.push(sim);
  return { namespace, sim };
}

const main = (pod: V1Pod): V1ContainerStatus | undefined => pod.status?.containerStatuses?.[0];

async function waitForPod(namespace: string, name: string, what: string, ok: (pod: V1Pod) => boolean) {
  const deadline = Date.now() + 30_000;
  let last: V1Pod | undefined;
  while (Date.now() < deadline) {
    last = await core.readNamespacedPod({ namespace, name });
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`pod ${namespace}/${name} never got ${what}; last status: ${JSON.stringify(last?.status)}`);
}

const runs = (digest: string) => (pod: V1Pod) =>
  main(pod)?.state?.running !== undefined && (main(pod)?.imageID ?? '').endsWith(`@${digest}`);

async function setImage(namespace: string, name: string, image: string): Promise<void> {
  const pod = await core.readNamespacedPod({ namespace, name });
  const c = pod.spec?.containers[0];
  if (c) c.image = image;
  await core.replaceNamespacedPod({ namespace, name, body: pod });
}

describe('the kubelet simulator with real-node fidelity', () => {
  it('reports the image record: another tag of the same digest keeps the first name', async () => {
    const { namespace } = await setup('sim-records', { imageRecords: true });
    const first = await pushImage(registry, { repository: 'sim-fidelity/app', tag: `a-${namespace}` });
    await retag(registry, first.repository, first.tag, `b-${namespace}`);
    const alias = `${registry.host}/${first.repository}:b-${namespace}`;
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'main', image: first.reference }] } },
    });
    const before = await waitForPod(namespace, 'p', 'running', runs(first.digest));
    await setImage(namespace, 'p', alias);
    const after = await waitForPod(
      namespace,
      'p',
      'a new container',
      (p) => runs(first.digest)(p) && main(p)?.containerID !== main(before)?.containerID,
    );
    expect(main(after)?.image).toBe(first.reference);
    expect(main(after)?.imageID).toBe(`${registry.host}/${first.repository}@${first.digest}`);
  });

  it('ends a replaced container Completed (exit 0) when its app handles SIGTERM', async () => {
    const { namespace } = await setup('sim-sigterm', {
      handlesSigterm: (image) => image.includes(':graceful'),
    });
    const a = await pushImage(registry, { repository: 'sim-fidelity/app', tag: `graceful-${namespace}` });
    const b = await pushImage(registry, { repository: 'sim-fidelity/app', tag: `other-${namespace}` });
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'main', image: a.reference }] } },
    });
    const before = await waitForPod(namespace, 'p', 'running', runs(a.digest));
    await setImage(namespace, 'p', b.reference);
    const after = await waitForPod(namespace, 'p', 'b', runs(b.digest));
    expect(main(after)?.lastState?.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
      containerID: main(before)?.containerID,
    });
    // The other image does not handle SIGTERM: killed after the grace period.
    await setImage(namespace, 'p', a.reference);
    const back = await waitForPod(namespace, 'p', 'a again', runs(a.digest));
    expect(main(back)?.lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
  });

  it('backs off repeated crashes in CrashLoopBackOff (the first restart is immediate)', async () => {
    const { namespace, sim } = await setup('sim-crashloop', { crashLoopBackOffMs: 600 });
    const a = await pushImage(registry, { repository: 'sim-fidelity/app', tag: `crash-${namespace}` });
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'main', image: a.reference }] } },
    });
    await waitForPod(namespace, 'p', 'running', runs(a.digest));
    await sim.crash(namespace, 'p', 'main', 2);
    await waitForPod(
      namespace,
      'p',
      'restart 1',
      (p) => main(p)?.restartCount === 1 && !!main(p)?.state?.running,
    );
    await sim.crash(namespace, 'p', 'main', 2);
    const backingOff = await waitForPod(
      namespace,
      'p',
      'CrashLoopBackOff',
      (p) => main(p)?.state?.waiting?.reason === 'CrashLoopBackOff',
    );
    expect(main(backingOff)?.lastState?.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(main(backingOff)?.state?.waiting?.message).toMatch(
      /^back-off \d+s restarting failed container=main/,
    );
    await waitForPod(
      namespace,
      'p',
      'restart 2',
      (p) => main(p)?.restartCount === 2 && !!main(p)?.state?.running,
    );
    expect(sim.errors()).toEqual([]);
  });

  it('hits CrashLoopBackOff on the fourth swap when flip-flopping between two images, as kubelet does', async () => {
    const { namespace, sim } = await setup('sim-flipflop', { crashLoopBackOffMs: 2_000 });
    const a = await pushImage(registry, { repository: 'sim-fidelity/app', tag: `flip-${namespace}` });
    const b = await pushImage(registry, { repository: 'sim-fidelity/app', tag: `flop-${namespace}` });
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'main', image: a.reference }] } },
    });
    await waitForPod(namespace, 'p', 'a', runs(a.digest));
    await setImage(namespace, 'p', b.reference);
    await waitForPod(namespace, 'p', 'b', runs(b.digest));
    await setImage(namespace, 'p', a.reference);
    await waitForPod(namespace, 'p', 'a again', runs(a.digest));
    await setImage(namespace, 'p', b.reference);
    await waitForPod(namespace, 'p', 'b again', runs(b.digest));
    // The fourth swap: A's key was set by the second one, and A was killed just now.
    await setImage(namespace, 'p', a.reference);
    await waitForPod(
      namespace,
      'p',
      'CrashLoopBackOff',
      (p) => main(p)?.state?.waiting?.reason === 'CrashLoopBackOff',
    );
    await waitForPod(namespace, 'p', 'a after the back-off', runs(a.digest));
    expect(sim.errors()).toEqual([]);
  });

  it('acknowledges a new generation in a status write before replacing the container', async () => {
    const { namespace } = await setup('sim-generation', { generationStatusWrite: true });
    const a = await pushImage(registry, { repository: 'sim-fidelity/app', tag: `gen-a-${namespace}` });
    const b = await pushImage(registry, { repository: 'sim-fidelity/app', tag: `gen-b-${namespace}` });
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'main', image: a.reference }] } },
    });
    const before = await waitForPod(namespace, 'p', 'a', runs(a.digest));
    expect(main(before)?.resources).toEqual({});
    expect(before.status?.conditions?.find((c) => c.type === 'Ready')?.observedGeneration).toBe(1);
    const seen: V1Pod[] = [];
    const watch = await new Watch(kc).watch(
      `/api/v1/namespaces/${namespace}/pods`,
      { resourceVersion: before.metadata?.resourceVersion },
      (_type: string, pod: V1Pod) => seen.push(pod),
      () => {},
    );
    try {
      await setImage(namespace, 'p', b.reference);
      await waitForPod(namespace, 'p', 'b', runs(b.digest));
      await waitForPod(namespace, 'p', 'the watch to catch up', () => seen.some(runs(b.digest)));
    } finally {
      watch.abort();
    }
    // The first status write after the PUT: generation 2 observed, the old container still running.
    const ack = seen.find((p) => p.status?.observedGeneration === 2);
    expect(main(ack as V1Pod)?.containerID).toBe(main(before)?.containerID);
    expect(main(ack as V1Pod)?.state?.running).toBeDefined();
  });
});
