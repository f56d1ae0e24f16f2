import { describe, expect, it } from 'vitest';
import { imageIDOf, makePod } from '../test/pod-fixtures.js';
import {
  InplaceUpdatePhaseCompleted,
  PodAnnotationInPlaceUpdateStateKey,
  SandboxLastActiveAnnotationKey,
  SandboxPhaseLabelKey,
  SandboxStartedAtAnnotationKey,
} from './constants.js';
import { ContainerNotFoundError } from './errors/container-not-found-error.js';
import { NoContainersError } from './errors/no-containers-error.js';
import { TargetImageRequiredError } from './errors/target-image-required-error.js';
import { UnexpectedPodPhaseError } from './errors/unexpected-pod-phase-error.js';
import type { Pod } from './ports/pod.js';
import { getInplaceUpdateState } from './state/get-inplace-update-state.js';
import { FakeClock, InMemoryPodClient } from './testing/index.js';
import { triggerUpdateWithOptions } from './trigger-update-with-options.js';

const clock = new FakeClock('2026-05-01T10:00:00.750Z');
const deps = { clock };

function setup(pod: Pod) {
  const client = new InMemoryPodClient([pod]);
  return { client, stored: () => client.peek('sandboxes', 'pool-a-1')! };
}

const twoContainers = () =>
  makePod({
    phase: 'idle',
    containers: [
      { name: 'sandbox', image: 'pause:3.10', containerID: 'containerd://s1' },
      { name: 'sidecar', image: 'busybox:1.36', containerID: 'containerd://b1' },
    ],
  });

describe('triggerUpdateWithOptions (SPEC 2.1)', () => {
  it('claims an idle pod: both images set, label starting, metadata applied, state with two targets', async () => {
    const { client, stored } = setup(twoContainers());
    const result = await triggerUpdateWithOptions(
      client,
      twoContainers(),
      {
        containerImages: { sandbox: 'pause:v2', sidecar: 'busybox:v2' },
        labels: { team: 'a' },
        annotations: { note: 'claimed' },
        targetPodPhase: 'running',
      },
      deps,
    );
    expect(client.writes).toBe(1);
    expect(result).toEqual(stored());
    expect(result.spec?.containers?.map((c) => c.image)).toEqual(['pause:v2', 'busybox:v2']);
    expect(result.metadata?.labels).toMatchObject({ [SandboxPhaseLabelKey]: 'starting', team: 'a' });
    expect(result.metadata?.annotations?.['note']).toBe('claimed');
    expect(getInplaceUpdateState(result)).toEqual({
      phase: 'starting',
      targetImages: { sandbox: 'pause:v2', sidecar: 'busybox:v2' },
      targetPodPhase: 'running',
      updateTimestamp: new Date('2026-05-01T10:00:00Z'),
      lastContainerStatuses: {
        sandbox: { imageID: imageIDOf('pause:3.10'), containerID: 'containerd://s1' },
        sidecar: { imageID: imageIDOf('busybox:1.36'), containerID: 'containerd://b1' },
      },
    });
    expect(result.metadata?.annotations?.[PodAnnotationInPlaceUpdateStateKey]).toContain(
      '"updateTimestamp":"2026-05-01T10:00:00Z"',
    );
  });

  it('records targetImage when exactly one container changes, and a custom intermediate phase', async () => {
    const { client } = setup(twoContainers());
    const result = await triggerUpdateWithOptions(
      client,
      twoContainers(),
      {
        containerImages: { sandbox: 'pause:v2', sidecar: 'busybox:1.36' },
        updatePodPhase: 'stopping',
        targetPodPhase: 'idle',
      },
      deps,
    );
    const state = getInplaceUpdateState(result);
    expect(state).toMatchObject({
      phase: 'stopping',
      targetImage: 'pause:v2',
      targetImages: { sandbox: 'pause:v2' },
    });
    expect(Object.keys(state?.lastContainerStatuses ?? {})).toEqual(['sandbox']);
    expect(result.metadata?.labels?.[SandboxPhaseLabelKey]).toBe('stopping');
  });

  it('records no imageID or containerID for a container kubelet has not reported', async () => {
    const pod = makePod({
      phase: 'idle',
      containers: [{ name: 'sandbox', image: 'pause:3.10', imageID: null }],
    });
    const { client } = setup(pod);
    const result = await triggerUpdateWithOptions(
      client,
      pod,
      { containerImages: { sandbox: 'app:1' } },
      deps,
    );
    expect(getInplaceUpdateState(result)?.lastContainerStatuses).toEqual({ sandbox: {} });
  });

  it('labels only, target running → label running, no state annotation written', async () => {
    const pod = makePod({ phase: 'idle' });
    const { client } = setup(pod);
    const result = await triggerUpdateWithOptions(
      client,
      pod,
      { labels: { x: 'y' }, targetPodPhase: 'running' },
      deps,
    );
    expect(result.metadata?.labels).toMatchObject({ [SandboxPhaseLabelKey]: 'running', x: 'y' });
    expect(result.metadata?.annotations?.[PodAnnotationInPlaceUpdateStateKey]).toBeUndefined();
    expect(client.writes).toBe(1);
  });

  it('running pod, target idle with removeLabels/removeAnnotations → keys removed (removal wins), label idle', async () => {
    const pod = makePod({ phase: 'running', labels: { a: '1', b: '2' }, annotations: { c: '3', d: '4' } });
    const { client } = setup(pod);
    const result = await triggerUpdateWithOptions(
      client,
      pod,
      {
        labels: { a: 'new' },
        removeLabels: ['a', 'missing'],
        removeAnnotations: ['c'],
        targetPodPhase: 'idle',
      },
      deps,
    );
    expect(result.metadata?.labels).toEqual({
      'agentbox.navix.sh/sandbox-pool': 'pool-a',
      b: '2',
      [SandboxPhaseLabelKey]: 'idle',
    });
    expect(result.metadata?.annotations).toEqual({ d: '4' });
  });

  it.each([
    ['the same spelling', 'pause:3.10', 'pause:3.10'],
    [
      'docker.io/library/ubuntu:22.04 in spec, ubuntu:22.04 requested',
      'docker.io/library/ubuntu:22.04',
      'ubuntu:22.04',
    ],
    ['an implicit latest', 'ubuntu', 'docker.io/library/ubuntu:latest'],
  ])(
    'same-image fast path (%s): label running, state completed, started-at set, spec untouched',
    async (_n, spec, requested) => {
      const pod = makePod({
        phase: 'idle',
        containers: [{ name: 'sandbox', image: spec, containerID: 'containerd://s1', restartCount: 2 }],
      });
      const { client } = setup(pod);
      const result = await triggerUpdateWithOptions(
        client,
        pod,
        {
          containerImages: { sandbox: requested },
          updatePodPhase: 'starting',
          expectedCurrentSandboxPhase: 'idle',
          targetPodPhase: 'running',
        },
        deps,
      );
      expect(result.spec?.containers?.[0]?.image).toBe(spec);
      expect(result.metadata?.labels?.[SandboxPhaseLabelKey]).toBe('running');
      expect(result.metadata?.annotations?.[SandboxStartedAtAnnotationKey]).toBe('2026-05-01T10:00:00Z');
      expect(result.metadata?.annotations?.[SandboxLastActiveAnnotationKey]).toBe('2026-05-01T10:00:00Z');
      expect(result.metadata?.annotations?.[PodAnnotationInPlaceUpdateStateKey]).toBe(
        '{"phase":"completed","targetPodPhase":"running","updateTimestamp":"2026-05-01T10:00:00Z",' +
          '"stableContainerStatuses":{"sandbox":{"containerID":"containerd://s1","restartCount":2}}}',
      );
    },
  );

  it('fast path to a non-running target sets no start times', async () => {
    const pod = makePod({ phase: 'running' });
    const { client } = setup(pod);
    const result = await triggerUpdateWithOptions(
      client,
      pod,
      { containerImages: { sandbox: 'pause:3.10' }, updatePodPhase: 'starting', targetPodPhase: 'idle' },
      deps,
    );
    expect(result.metadata?.labels?.[SandboxPhaseLabelKey]).toBe('idle');
    expect(getInplaceUpdateState(result)).toMatchObject({
      phase: InplaceUpdatePhaseCompleted,
      targetPodPhase: 'idle',
    });
    expect(result.metadata?.annotations?.[SandboxStartedAtAnnotationKey]).toBeUndefined();
  });

  it('same image but pod not Running → retryable UnexpectedPodPhaseError, nothing written', async () => {
    const pod = makePod({ phase: 'idle', podPhase: 'Pending' });
    const { client } = setup(pod);
    const promise = triggerUpdateWithOptions(
      client,
      pod,
      { containerImages: { sandbox: 'pause:3.10' }, updatePodPhase: 'starting', targetPodPhase: 'running' },
      deps,
    );
    await expect(promise).rejects.toThrow(UnexpectedPodPhaseError);
    await expect(promise).rejects.toMatchObject({
      code: 'UnexpectedPodPhase',
      retryable: true,
      expected: 'Running',
      actual: 'Pending',
    });
    expect(client.replaceAttempts).toBe(0);
  });

  it('running pod, updatePodPhase stopping, same image, target idle → no fast path; label idle', async () => {
    const pod = makePod({ phase: 'running', state: { phase: 'completed', targetPodPhase: 'running' } });
    const { client } = setup(pod);
    const before = pod.metadata?.annotations?.[PodAnnotationInPlaceUpdateStateKey];
    const result = await triggerUpdateWithOptions(
      client,
      pod,
      { containerImages: { sandbox: 'pause:3.10' }, updatePodPhase: 'stopping', targetPodPhase: 'idle' },
      deps,
    );
    expect(result.metadata?.labels?.[SandboxPhaseLabelKey]).toBe('idle');
    expect(result.metadata?.annotations?.[PodAnnotationInPlaceUpdateStateKey]).toBe(before);
  });

  it('the default intermediate phase does not enable the fast path', async () => {
    const pod = makePod({ phase: 'idle', podPhase: 'Pending' });
    const { client } = setup(pod);
    const result = await triggerUpdateWithOptions(
      client,
      pod,
      { containerImages: { sandbox: 'pause:3.10' } },
      deps,
    );
    expect(client.writes).toBe(0);
    expect(result).toEqual(client.peek('sandboxes', 'pool-a-1'));
  });

  it('expectedCurrentSandboxPhase idle on a starting pod → UnexpectedPodPhaseError, nothing written', async () => {
    const pod = makePod({ phase: 'starting' });
    const { client } = setup(pod);
    const promise = triggerUpdateWithOptions(
      client,
      pod,
      { containerImages: { sandbox: 'app:1' }, expectedCurrentSandboxPhase: 'idle' },
      deps,
    );
    await expect(promise).rejects.toMatchObject({
      code: 'UnexpectedPodPhase',
      expected: 'idle',
      actual: 'starting',
    });
    expect(client.replaceAttempts).toBe(0);
  });

  it('checks the expected phase against the fresh pod, not the caller copy', async () => {
    const pod = makePod({ phase: 'idle' });
    const { client } = setup(pod);
    client.modify('sandboxes', 'pool-a-1', (p) => {
      p.metadata!.labels![SandboxPhaseLabelKey] = 'starting';
    });
    await expect(
      triggerUpdateWithOptions(client, pod, {
        containerImages: { sandbox: 'x:1' },
        expectedCurrentSandboxPhase: 'idle',
      }),
    ).rejects.toThrow(UnexpectedPodPhaseError);
  });

  it.each([
    [
      'an empty target image',
      { sandbox: '' },
      TargetImageRequiredError,
      'container "sandbox": target image is required',
    ],
    ['an unknown container', { nope: 'x:1' }, ContainerNotFoundError, 'container not found in pod: nope'],
    ['a valid and an unknown container', { sandbox: 'x:1', nope: 'x:1' }, ContainerNotFoundError, 'nope'],
  ])('%s → typed error, nothing written', async (_n, containerImages, type, message) => {
    const pod = makePod({ phase: 'idle' });
    const { client } = setup(pod);
    const promise = triggerUpdateWithOptions(
      client,
      pod,
      { containerImages, updatePodPhase: 'starting' },
      deps,
    );
    await expect(promise).rejects.toThrow(type);
    await expect(promise).rejects.toThrow(message);
    expect(client.replaceAttempts).toBe(0);
  });

  it('images requested for a pod with no containers → NoContainersError', async () => {
    const pod: Pod = { metadata: { name: 'pool-a-1', namespace: 'sandboxes' } };
    const { client } = setup(pod);
    const promise = triggerUpdateWithOptions(client, pod, { containerImages: { sandbox: 'x:1' } });
    await expect(promise).rejects.toThrow(NoContainersError);
    await expect(promise).rejects.toMatchObject({ code: 'NoContainers', message: 'pod has no containers' });
  });

  it('does not modify the caller pod', async () => {
    const pod = makePod({ phase: 'idle' });
    const copy = structuredClone(pod);
    const { client } = setup(pod);
    await triggerUpdateWithOptions(client, pod, {
      containerImages: { sandbox: 'app:1' },
      labels: { a: 'b' },
    });
    expect(pod).toEqual(copy);
  });
});
