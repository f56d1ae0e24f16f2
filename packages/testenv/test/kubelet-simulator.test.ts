import {
  CoreV1Api,
  type KubeConfig,
  type V1ContainerStatus,
  type V1Pod,
  Watch,
} from '@kubernetes/client-node';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type ContainerRuntime,
  createTestNamespace,
  type KubeletSimulator,
  type KubeletSimulatorOptions,
  kubeConfigFor,
  type PushedImage,
  pushImage,
  type RegistryHandle,
  registryFromProvided,
  startKubeletSimulator,
  startTcpRelay,
} from '../src/index.js';

let kc: KubeConfig;
let core: CoreV1Api;
let registry: RegistryHandle;
let v1: PushedImage;
let v2: PushedImage;
const running: KubeletSimulator[] = [];

beforeAll(async () => {
  kc = kubeConfigFor(inject('controlPlane'));
  core = kc.makeApiClient(CoreV1Api);
  registry = registryFromProvided(inject('registries').none);
  v1 = await pushImage(registry, { repository: 'kubelet-sim/app', tag: 'v1' });
  v2 = await pushImage(registry, { repository: 'kubelet-sim/app', tag: 'v2', kind: 'oci' });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function setup(prefix: string, options: KubeletSimulatorOptions = {}) {
  const namespace = await createTestNamespace(kc, prefix);
  const sim = await startKubeletSimulator(kc, { namespace, ...options });
  running.push(sim);
  return { namespace, sim };
}

function podSpec(name: string, image: string, extra: Partial<V1Pod['spec']> = {}): V1Pod {
  return { metadata: { name }, spec: { containers: [{ name: 'main', image }], ...extra } };
}

async function waitForPod(namespace: string, name: string, what: string, ok: (pod: V1Pod) => boolean) {
  const deadline = Date.now() + 15_000;
  let last: V1Pod | undefined;
  while (Date.now() < deadline) {
    last = await core.readNamespacedPod({ namespace, name });
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`pod ${namespace}/${name} never got ${what}; last status: ${JSON.stringify(last?.status)}`);
}

const main = (pod: V1Pod): V1ContainerStatus | undefined => pod.status?.containerStatuses?.[0];
const isRunning = (pod: V1Pod) => pod.status?.phase === 'Running' && main(pod)?.state?.running !== undefined;
const condition = (pod: V1Pod, type: string) => pod.status?.conditions?.find((c) => c.type === type)?.status;

/** Records every container status a watch delivers for one pod. */
// The pod runs `image` in its main container: what every image-change test waits for.
function waitForRunningImage(namespace: string, name: string, image: string) {
  return waitForPod(namespace, name, 'the new image', (p) => isRunning(p) && main(p)?.image === image);
}

async function recordStatuses(namespace: string) {
  const seen: V1ContainerStatus[] = [];
  const ctl = await new Watch(kc).watch(
    `/api/v1/namespaces/${namespace}/pods`,
    {},
    (_type, pod: V1Pod) => {
      const s = main(pod);
      if (s) seen.push(s);
    },
    () => {},
  );
  return { seen, stop: () => ctl.abort() };
}

async function setImage(namespace: string, name: string, image: string) {
  const pod = await core.readNamespacedPod({ namespace, name });
  pod.spec!.containers[0]!.image = image;
  await core.replaceNamespacedPod({ namespace, name, body: pod });
}

describe('the kubelet simulator', () => {
  it.each<[ContainerRuntime, RegExp, (repo: string, digest: string) => string]>([
    ['containerd', /^containerd:\/\/[0-9a-f]{64}$/, (repo, digest) => `${repo}@${digest}`],
    ['cri-o', /^cri-o:\/\/[0-9a-f]{64}$/, (repo, digest) => `${repo}@${digest}`],
    ['docker', /^docker:\/\/[0-9a-f]{64}$/, (repo, digest) => `docker-pullable://${repo}@${digest}`],
  ])(
    '%s: binds a new pod and runs it with the registry digest as imageID',
    async (runtime, idFormat, imageId) => {
      const { namespace, sim } = await setup(`sim-${runtime}`, { runtime });
      await core.createNamespacedPod({ namespace, body: podSpec('p', v1.reference) });
      const pod = await waitForPod(
        namespace,
        'p',
        'Running',
        (p) => isRunning(p) && condition(p, 'Ready') === 'True',
      );
      expect(pod.spec?.nodeName).toBe(sim.nodeName);
      const status = main(pod)!;
      expect(status.containerID).toMatch(idFormat);
      expect(status.imageID).toBe(imageId(`${registry.host}/kubelet-sim/app`, v1.digest));
      expect(status.image).toBe(v1.reference);
      expect(status).toMatchObject({ ready: true, started: true, restartCount: 0 });
      expect(condition(pod, 'ContainersReady')).toBe('True');
      expect(condition(pod, 'PodScheduled')).toBe('True');
      expect(pod.status?.podIP).toBeTruthy();
      expect(sim.errors()).toEqual([]);
    },
  );

  it('replaces the container on an image change: new containerID and imageID', async () => {
    const { namespace, sim } = await setup('sim-image-change');
    await core.createNamespacedPod({ namespace, body: podSpec('p', v1.reference) });
    const before = main(await waitForPod(namespace, 'p', 'Running', isRunning))!;
    await setImage(namespace, 'p', v2.reference);
    const after = main(await waitForRunningImage(namespace, 'p', v2.reference))!;
    expect(after.containerID).not.toBe(before.containerID);
    expect(after.imageID).toBe(`${registry.host}/kubelet-sim/app@${v2.digest}`);
    expect(after.restartCount).toBe(1);
    expect(after.lastState?.terminated?.containerID).toBe(before.containerID);
    expect(sim.errors()).toEqual([]);
  });

  it('ends an unknown tag in ImagePullBackOff with the old container gone, and recovers once it is pushed', async () => {
    const { namespace, sim } = await setup('sim-pull-failure', { pullBackOffMs: 300 });
    await core.createNamespacedPod({ namespace, body: podSpec('p', v1.reference) });
    const before = main(await waitForPod(namespace, 'p', 'Running', isRunning))!;
    const rec = await recordStatuses(namespace);
    const missing = `${registry.host}/kubelet-sim/app:not-pushed-${Date.now()}`;
    await setImage(namespace, 'p', missing);
    const failed = await waitForPod(
      namespace,
      'p',
      'ImagePullBackOff',
      (p) => main(p)?.state?.waiting?.reason === 'ImagePullBackOff',
    );
    rec.stop();
    const status = main(failed)!;
    expect(rec.seen.map((s) => s.state?.waiting?.reason)).toContain('ErrImagePull');
    expect(status.state?.running).toBeUndefined();
    expect(status.ready).toBe(false);
    expect(status.lastState?.terminated?.containerID).toBe(before.containerID);
    expect(condition(failed, 'Ready')).toBe('False');
    // kubelet keeps retrying: the pull succeeds once the tag exists.
    const tag = missing.split(':').pop()!;
    const pushed = await pushImage(registry, { repository: 'kubelet-sim/app', tag });
    const recovered = main(await waitForPod(namespace, 'p', 'Running again', isRunning))!;
    expect(recovered.imageID).toBe(`${registry.host}/kubelet-sim/app@${pushed.digest}`);
    expect(recovered.containerID).not.toBe(before.containerID);
    expect(sim.errors()).toEqual([]);
  });

  it('restarts an OOM-killed container with a new containerID and lastState OOMKilled', async () => {
    const { namespace, sim } = await setup('sim-oom');
    await core.createNamespacedPod({ namespace, body: podSpec('p', v1.reference) });
    const before = main(await waitForPod(namespace, 'p', 'Running', isRunning))!;
    await sim.oomKill(namespace, 'p', 'main');
    const after = main(
      await waitForPod(namespace, 'p', 'a restart', (p) => isRunning(p) && main(p)?.restartCount === 1),
    )!;
    expect(after.containerID).not.toBe(before.containerID);
    expect(after.imageID).toBe(before.imageID);
    expect(after.lastState?.terminated).toMatchObject({
      reason: 'OOMKilled',
      exitCode: 137,
      containerID: before.containerID,
    });
    expect(sim.errors()).toEqual([]);
  });

  it('publishes a replaced container in separate writes when asked', async () => {
    const { namespace, sim } = await setup('sim-split', { splitStatusWrites: true, statusLagMs: 20 });
    await core.createNamespacedPod({ namespace, body: podSpec('p', v1.reference) });
    const before = main(
      await waitForPod(namespace, 'p', 'Running', (p) => isRunning(p) && main(p)?.ready === true),
    )!;
    const rec = await recordStatuses(namespace);
    await setImage(namespace, 'p', v2.reference);
    const after = main(
      await waitForPod(
        namespace,
        'p',
        'ready on v2',
        (p) => main(p)?.image === v2.reference && main(p)?.ready === true,
      ),
    )!;
    rec.stop();
    // A half-written status: the new imageID still next to the old containerID.
    expect(rec.seen.some((s) => s.imageID === after.imageID && s.containerID === before.containerID)).toBe(
      true,
    );
    // Then the new containerID before readiness.
    expect(rec.seen.some((s) => s.containerID === after.containerID && !s.ready)).toBe(true);
    expect(sim.errors()).toEqual([]);
  });

  it('evicts a pod: phase Failed, reason Evicted', async () => {
    const { namespace, sim } = await setup('sim-evict');
    await core.createNamespacedPod({ namespace, body: podSpec('p', v1.reference) });
    await waitForPod(namespace, 'p', 'Running', isRunning);
    await sim.evict(namespace, 'p');
    const pod = await waitForPod(namespace, 'p', 'Failed', (p) => p.status?.phase === 'Failed');
    expect(pod.status?.reason).toBe('Evicted');
    expect(main(pod)?.state?.terminated?.exitCode).toBe(137);
    expect(condition(pod, 'DisruptionTarget')).toBe('True');
    expect(condition(pod, 'Ready')).toBe('False');
  });

  it('follows readiness into the PodReady and ContainersReady conditions', async () => {
    const { namespace, sim } = await setup('sim-ready');
    await core.createNamespacedPod({ namespace, body: podSpec('p', v1.reference) });
    await waitForPod(namespace, 'p', 'Ready', (p) => condition(p, 'Ready') === 'True');
    await sim.setReady(namespace, 'p', 'main', false);
    const pod = await waitForPod(namespace, 'p', 'not Ready', (p) => condition(p, 'Ready') === 'False');
    expect(condition(pod, 'ContainersReady')).toBe('False');
    expect(main(pod)?.state?.running).toBeDefined();
  });

  it('fails a pod whose container exits under restartPolicy Never', async () => {
    const { namespace, sim } = await setup('sim-never');
    await core.createNamespacedPod({
      namespace,
      body: podSpec('p', v1.reference, { restartPolicy: 'Never' }),
    });
    await waitForPod(namespace, 'p', 'Running', isRunning);
    await sim.crash(namespace, 'p', 'main', 3);
    const pod = await waitForPod(namespace, 'p', 'Failed', (p) => p.status?.phase === 'Failed');
    expect(main(pod)?.state?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
  });

  it('finishes the deletion of a bound pod, as kubelet does', async () => {
    const { namespace, sim } = await setup('sim-delete');
    await core.createNamespacedPod({ namespace, body: podSpec('p', v1.reference) });
    await waitForPod(namespace, 'p', 'Running', isRunning);
    await core.deleteNamespacedPod({ namespace, name: 'p' });
    const deadline = Date.now() + 15_000;
    let gone = false;
    while (!gone && Date.now() < deadline) {
      const list = await core.listNamespacedPod({ namespace });
      gone = list.items.length === 0;
      if (!gone) await new Promise((r) => setTimeout(r, 25));
    }
    expect(sim.errors()).toEqual([]);
    expect(gone).toBe(true);
  });

  it.each(['basic', 'token'] as const)(
    'pulls from a %s-auth registry with the node credentials',
    async (auth) => {
      const provided = inject('registries')[auth];
      const private_ = registryFromProvided(provided);
      const image = await pushImage(private_, { repository: 'kubelet-sim/private', tag: 'v1' });
      const credentials = { [provided.host]: { username: provided.username, password: provided.password } };
      const { namespace, sim } = await setup(`sim-${auth}`, { registryCredentials: credentials });
      await core.createNamespacedPod({ namespace, body: podSpec('p', image.reference) });
      const pod = await waitForPod(namespace, 'p', 'Running', isRunning);
      expect(main(pod)?.imageID).toBe(`${provided.host}/kubelet-sim/private@${image.digest}`);
      expect(sim.errors()).toEqual([]);
    },
  );

  it('cannot pull from a private registry without credentials', async () => {
    const provided = inject('registries').basic;
    const image = await pushImage(registryFromProvided(provided), {
      repository: 'kubelet-sim/private',
      tag: 'v1',
    });
    const { namespace } = await setup('sim-anonymous', { pullBackOffMs: 60_000 });
    await core.createNamespacedPod({ namespace, body: podSpec('p', image.reference) });
    const pod = await waitForPod(
      namespace,
      'p',
      'ErrImagePull',
      (p) => main(p)?.state?.waiting?.reason === 'ErrImagePull',
    );
    expect(main(pod)?.state?.waiting?.message).toContain('pull access denied');
    expect(pod.status?.phase).toBe('Pending');
  });

  it('keeps serving across relists and restarted watches', async () => {
    const { namespace, sim } = await setup('sim-relist', { relistIntervalMs: 100 });
    await core.createNamespacedPod({ namespace, body: podSpec('first', v1.reference) });
    await waitForPod(namespace, 'first', 'Running', isRunning);
    await new Promise((r) => setTimeout(r, 600)); // several relists and new watches
    await core.createNamespacedPod({ namespace, body: podSpec('second', v1.reference) });
    await waitForPod(namespace, 'second', 'Running', isRunning);
    await setImage(namespace, 'first', v2.reference);
    await waitForRunningImage(namespace, 'first', v2.reference);
    expect(sim.errors()).toEqual([]);
  });

  it('takes over running containers after a restart of the node, as kubelet does', async () => {
    const { namespace, sim } = await setup('sim-restart');
    await core.createNamespacedPod({ namespace, body: podSpec('p', v1.reference) });
    const before = main(await waitForPod(namespace, 'p', 'Running', isRunning))!;
    await sim.stop();
    const again = await startKubeletSimulator(kc, { namespace, nodeName: sim.nodeName });
    running.push(again);
    await again.setReady(namespace, 'p', 'main', true); // runs after the new node's first sync of the pod
    expect(main(await core.readNamespacedPod({ namespace, name: 'p' }))).toMatchObject({
      containerID: before.containerID,
      imageID: before.imageID,
      restartCount: 0,
      ready: true,
    });
    await setImage(namespace, 'p', v2.reference);
    const after = main(await waitForRunningImage(namespace, 'p', v2.reference))!;
    expect(after).toMatchObject({
      restartCount: 1,
      lastState: { terminated: { containerID: before.containerID } },
    });
    expect(again.errors()).toEqual([]);
  });

  it('after a restart, replaces a container whose status only half shows the new image (a cut split write)', async () => {
    const { namespace, sim } = await setup('sim-restart-half');
    await core.createNamespacedPod({ namespace, body: podSpec('p', v1.reference) });
    const before = main(await waitForPod(namespace, 'p', 'Running', isRunning))!;
    await sim.stop();
    // While the node is down: the spec moves to v2, and the status shows v2 beside the old container, as
    // the first of kubelet's split writes would before the restart cut the rest.
    await setImage(namespace, 'p', v2.reference);
    const pod = await core.readNamespacedPod({ namespace, name: 'p' });
    const status = pod.status!.containerStatuses![0]!;
    status.image = v2.reference;
    status.imageID = `${v2.reference.split(':').slice(0, -1).join(':')}@${v2.digest}`;
    await core.replaceNamespacedPodStatus({ namespace, name: 'p', body: pod });
    const again = await startKubeletSimulator(kc, { namespace, nodeName: sim.nodeName });
    running.push(again);
    const replaced = (p: V1Pod) =>
      isRunning(p) && main(p)?.image === v2.reference && main(p)?.containerID !== before.containerID;
    const after = main(await waitForPod(namespace, 'p', 'a new container for v2', replaced))!;
    expect(after.imageID).toContain(v2.digest);
    expect(again.errors()).toEqual([]);
  });

  it('writes a status again after a failed write, as the status manager of kubelet does', async () => {
    const access = inject('controlPlane');
    const relay = await startTcpRelay(access.server);
    try {
      const namespace = await createTestNamespace(kc, 'sim-retry');
      const sim = await startKubeletSimulator(kubeConfigFor({ ...access, server: relay.server }), {
        namespace,
        statusRetryMs: 300,
      });
      running.push(sim);
      await core.createNamespacedPod({ namespace, body: podSpec('a', v1.reference) });
      await waitForPod(
        namespace,
        'a',
        'a ready container',
        (p) => p.status?.containerStatuses?.[0]?.ready === true,
      );
      // The API server is unreachable when the node writes: the write fails, and nothing else changes later.
      relay.down();
      await expect(sim.setReady(namespace, 'a', 'main', false)).rejects.toThrow();
      relay.up();
      await waitForPod(
        namespace,
        'a',
        'the unready status',
        (p) => p.status?.containerStatuses?.[0]?.ready === false,
      );
    } finally {
      await Promise.all(running.splice(0).map((s) => s.stop()));
      await relay.close();
    }
  });

  it('refuses an action on a pod it does not run', async () => {
    const { namespace, sim } = await setup('sim-unknown');
    await expect(sim.oomKill(namespace, 'nope', 'main')).rejects.toMatchObject({ code: 'PodNotOnNode' });
  });
});
