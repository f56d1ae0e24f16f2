import {
  getInplaceUpdateState,
  type Pod,
  SandboxContainerIDAnnotationKey,
  SandboxIDLabelKey,
  SandboxLastActiveAnnotationKey,
  SandboxManagedLabelKeysAnnotationKey,
  SandboxPhaseLabelKey,
  SandboxRunningImagesAnnotationKey,
  SandboxStopReasonAnnotationKey,
  SandboxTerminatedAtAnnotationKey,
} from '@agentbox/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podsPath } from '../src/kube/kube-paths.js';
import { createSandboxClient } from '../src/sandbox/create-sandbox-client.js';
import type { SandboxClient, WaitProgress } from '../src/sandbox/sandbox-client.js';
import { SandboxStoppedError } from '../src/sandbox/sandbox-stopped-error.js';
import { WaitTimeoutError } from '../src/sandbox/wait-timeout-error.js';
import { type SandboxFixture, startSandboxFixture } from './sandbox-fixture.js';

describe('SandboxClient release, touch and wait against the real kube-apiserver and the kubelet simulator', () => {
  let fx: SandboxFixture;
  let client: SandboxClient;

  beforeAll(async () => {
    fx = await startSandboxFixture('sandbox-life');
    client = createSandboxClient({ kubeConfig: fx.kc, resolver: fx.resolver });
    await fx.createPool('life', {
      template: { spec: { containers: [{ name: 'main', image: fx.images.app }] } },
    });
  });
  afterAll(async () => {
    await client?.close();
    await fx?.close();
  });

  const readPod = (name: string) => fx.kube.request<Pod>({ path: podsPath(fx.namespace, name) });
  // What only a writer of the pod (not kubelet's status writes) changes: metadata, spec, and the
  // non-status entries of managedFields (each PUT stamps its manager's entry).
  const written = async (name: string) => {
    const pod = (await readPod(name)) as Pod & { metadata: { managedFields?: { subresource?: string }[] } };
    const { labels, annotations, managedFields } = pod.metadata;
    return JSON.stringify({
      labels,
      annotations,
      spec: pod.spec,
      managed: managedFields?.filter((f) => f.subresource !== 'status'),
    });
  };

  it('claim → wait running (completed like the controller would) → release Completed → wait released', async () => {
    await fx.createIdlePods('life', 1);
    const sandbox = await client.claim({
      namespace: fx.namespace,
      pool: 'life',
      image: fx.images.app,
      labels: { team: 'x' },
    });
    const progress: WaitProgress[] = [];
    const running = client.wait(
      { namespace: fx.namespace, sandboxId: sandbox.id },
      { phase: 'running', timeoutMs: 30_000, onProgress: (p) => progress.push(p) },
    );
    await fx.complete(sandbox.pod);
    const done = await running;
    expect(done.phase).toBe('running');
    expect(done.startedAt).toBeTruthy();
    expect(progress[0]?.phase).toBe('starting');
    expect(progress.at(-1)?.phase).toBe('running');

    const before = await readPod(sandbox.pod);
    const released = await client.release({ namespace: fx.namespace, sandboxId: sandbox.id });
    expect(released.phase).toBe('stopping');
    expect(released.stopReason).toBe('Completed');
    expect(released.images).toEqual({ main: fx.images.idle });
    const pod = await readPod(sandbox.pod);
    const annotations = pod.metadata!.annotations!;
    expect(annotations[SandboxRunningImagesAnnotationKey]).toBe(JSON.stringify({ main: fx.images.app }));
    expect(annotations[SandboxContainerIDAnnotationKey]).toBe(
      before.status!.containerStatuses![0]!.containerID,
    );
    expect(annotations[SandboxTerminatedAtAnnotationKey]).toMatch(/Z$/);
    expect(annotations[SandboxManagedLabelKeysAnnotationKey]).toBeUndefined();
    expect(pod.metadata!.labels!['team']).toBeUndefined();
    // The identity stays until the pod is idle again.
    expect(pod.metadata!.labels![SandboxIDLabelKey]).toBe(sandbox.id);
    const state = getInplaceUpdateState(pod)!;
    expect(state).toMatchObject({
      phase: 'stopping',
      targetPodPhase: 'idle',
      targetImages: { main: fx.images.idle },
    });

    const gone = client.wait(
      { namespace: fx.namespace, pod: sandbox.pod },
      { phase: 'released', timeoutMs: 30_000 },
    );
    await fx.complete(sandbox.pod);
    const idle = await gone;
    expect(idle.phase).toBe('idle');
    expect(idle.id).toBe('');
    const after = await readPod(sandbox.pod);
    expect(after.metadata!.labels![SandboxIDLabelKey]).toBeUndefined();
    expect(after.metadata!.annotations![SandboxStopReasonAnnotationKey]).toBeUndefined();
  });

  it('release while starting is Canceled; a second release (already at the idle images) writes nothing', async () => {
    await fx.createIdlePods('life', 1);
    const sandbox = await client.claim({ namespace: fx.namespace, pool: 'life', image: fx.images.missing });
    const released = await client.release({ namespace: fx.namespace, sandboxId: sandbox.id });
    expect(released.stopReason).toBe('Canceled');
    expect(released.phase).toBe('stopping');
    const once = await written(sandbox.pod);
    const again = await client.release({ namespace: fx.namespace, sandboxId: sandbox.id });
    expect(again.phase).toBe('stopping');
    expect(await written(sandbox.pod)).toBe(once);
  });

  it('release of a fast-path sandbox (at the idle images) goes to idle with its identity removed in one write', async () => {
    await fx.createIdlePods('life', 1);
    const sandbox = await client.claim({ namespace: fx.namespace, pool: 'life', image: fx.images.idle });
    expect(sandbox.phase).toBe('running');
    const released = await client.release({ namespace: fx.namespace, sandboxId: sandbox.id });
    expect(released).toMatchObject({ phase: 'idle', id: '' });
    const pod = await readPod(sandbox.pod);
    expect(pod.metadata!.labels![SandboxPhaseLabelKey]).toBe('idle');
    expect(getInplaceUpdateState(pod)).toMatchObject({ phase: 'completed', targetPodPhase: 'idle' });
    // The id is on no pod any more: a wait for released is over at once.
    const gone = await client.wait(
      { namespace: fx.namespace, sandboxId: sandbox.id },
      { phase: 'released', timeoutMs: 5000 },
    );
    expect(gone).toMatchObject({ id: sandbox.id, phase: 'idle' });
    // An idle pod has nothing to release.
    const before = await written(sandbox.pod);
    await client.release({ namespace: fx.namespace, pod: sandbox.pod });
    expect(await written(sandbox.pod)).toBe(before);
  });

  it('a pod outside every pool is no sandbox', async () => {
    await fx.kube.request({
      method: 'POST',
      path: podsPath(fx.namespace),
      body: { metadata: { name: 'plain' }, spec: { containers: [{ name: 'c', image: fx.images.idle }] } },
    });
    const err = await client.get({ namespace: fx.namespace, pod: 'plain' }).catch((e) => e);
    expect(err.code).toBe('SandboxNotFound');
    expect(err.message).toBe(`sandbox pod/plain not found in namespace ${fx.namespace}`);
  });

  it('touch sets last-active to now', async () => {
    await fx.createIdlePods('life', 1);
    const sandbox = await client.claim({ namespace: fx.namespace, pool: 'life', image: fx.images.idle });
    const at = new Date('2031-05-06T07:08:09.500Z');
    const fixed = createSandboxClient({ kubeConfig: fx.kc, clock: { now: () => at } });
    try {
      const touched = await fixed.touch({ namespace: fx.namespace, sandboxId: sandbox.id });
      expect(touched.lastActive).toBe('2031-05-06T07:08:09Z');
      expect((await readPod(sandbox.pod)).metadata!.annotations![SandboxLastActiveAnnotationKey]).toBe(
        '2031-05-06T07:08:09Z',
      );
    } finally {
      await fixed.close();
    }
  });

  it('wait times out with the explanation: ImagePullBackOff of an unpullable tag', async () => {
    await fx.createIdlePods('life', 1);
    const sandbox = await client.claim({ namespace: fx.namespace, pool: 'life', image: fx.images.missing });
    // The pull must have failed at least once, so the simulator reports a waiting reason.
    await fx.waitForPods(`${SandboxIDLabelKey}=${sandbox.id}`, (pods) =>
      pods.some((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff'),
    );
    const progress: WaitProgress[] = [];
    const err = await client
      .wait(
        { namespace: fx.namespace, sandboxId: sandbox.id },
        { phase: 'running', timeoutMs: 1500, explain: true, onProgress: (p) => progress.push(p) },
      )
      .catch((e) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(err.code).toBe('WaitTimeout');
    expect(err.message).toMatch(
      new RegExp(
        `^sandbox ${sandbox.id} \\(pod ${sandbox.pod}\\) still starting after 1\\.5s: container main: ImagePullBackOff: `,
      ),
    );
    expect(err.explanation.completed).toBe(false);
    expect(err.explanation.containers[0].waiting.reason).toBe('ImagePullBackOff');
    expect(progress[0]?.explanation?.completed).toBe(false);

    const explained = await client.explain({ namespace: fx.namespace, sandboxId: sandbox.id });
    expect(explained.sandbox.id).toBe(sandbox.id);
    expect(explained.summary).toMatch(/^container main: ImagePullBackOff: /);
  });

  it('wait for running rejects with the stop reason when the sandbox is released meanwhile', async () => {
    await fx.createIdlePods('life', 1);
    const sandbox = await client.claim({ namespace: fx.namespace, pool: 'life', image: fx.images.missing });
    const waiting = client
      .wait({ namespace: fx.namespace, sandboxId: sandbox.id }, { phase: 'running', timeoutMs: 30_000 })
      .catch((e) => e);
    await client.release({ namespace: fx.namespace, sandboxId: sandbox.id });
    const err = await waiting;
    expect(err).toBeInstanceOf(SandboxStoppedError);
    expect(err.code).toBe('SandboxStopped');
    expect(err.stopReason).toBe('Canceled');
    expect(err.message).toBe(
      `sandbox ${sandbox.id} (pod ${sandbox.pod}) was stopped while waiting for running: Canceled`,
    );
  });
});
