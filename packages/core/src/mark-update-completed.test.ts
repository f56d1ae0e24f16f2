import { describe, expect, it } from 'vitest';
import { makePod } from '../test/pod-fixtures.js';
import {
  IdleCleanupAnnotationKeys,
  PodAnnotationInPlaceUpdateStateKey,
  SandboxIDLabelKey,
  SandboxIdleTimeoutAnnotationKey,
  SandboxLastActiveAnnotationKey,
  SandboxManagedLabelKeysAnnotationKey,
  SandboxPhaseLabelKey,
  SandboxStartedAtAnnotationKey,
  SandboxStartupTimeoutAnnotationKey,
} from './constants.js';
import { InvalidStateError } from './errors/invalid-state-error.js';
import { hasUnexpectedRestart } from './has-unexpected-restart.js';
import { markUpdateCompleted } from './mark-update-completed.js';
import type { Pod } from './ports/pod.js';
import { getInplaceUpdateState } from './state/get-inplace-update-state.js';
import type { InplaceUpdateState } from './state/inplace-update-state.js';
import { FakeClock, fakeDigest, InMemoryPodClient, SeededDigestResolver } from './testing/index.js';
import { triggerUpdateWithOptions } from './trigger-update-with-options.js';

const NEW = fakeDigest('app:v1');
const PAUSE = fakeDigest('pause:3.10');
const clock = new FakeClock('2026-06-01T12:00:00Z');
const resolver = new SeededDigestResolver({ digests: { 'app:v1': NEW, 'pause:3.10': PAUSE } });

function startingPod(state: Partial<InplaceUpdateState> = {}, phase = 'starting'): Pod {
  return makePod({
    phase,
    containers: [
      { name: 'sandbox', image: 'app:v1', imageID: `app@${NEW}`, containerID: 'c-new', restartCount: 1 },
      { name: 'sidecar', image: 'side:1', imageID: `side@${PAUSE}`, containerID: 'side-1' },
    ],
    state: {
      phase: 'starting',
      targetImage: 'app:v1',
      targetImages: { sandbox: 'app:v1' },
      targetPodPhase: 'running',
      updateTimestamp: new Date('2026-06-01T11:59:00Z'),
      lastContainerStatuses: { sandbox: { imageID: `pause@${PAUSE}`, containerID: 'c-old' } },
      ...state,
    },
  });
}

describe('markUpdateCompleted (SPEC 2.3)', () => {
  it('starting → running: completed state, stable snapshot of the targets, start times, one write', async () => {
    const client = new InMemoryPodClient([startingPod()]);
    const result = await markUpdateCompleted(client, startingPod(), resolver, { clock });
    expect(client.writes).toBe(1);
    expect(result).toEqual(client.peek('sandboxes', 'pool-a-1'));
    expect(result?.metadata?.labels?.[SandboxPhaseLabelKey]).toBe('running');
    expect(result?.metadata?.annotations?.[PodAnnotationInPlaceUpdateStateKey]).toBe(
      '{"phase":"completed","targetImage":"app:v1","targetImages":{"sandbox":"app:v1"},"targetPodPhase":"running",' +
        '"updateTimestamp":"2026-06-01T12:00:00Z","stableContainerStatuses":{"sandbox":{"containerID":"c-new","restartCount":1}}}',
    );
    expect(result?.metadata?.annotations?.[SandboxStartedAtAnnotationKey]).toBe('2026-06-01T12:00:00Z');
    expect(result?.metadata?.annotations?.[SandboxLastActiveAnnotationKey]).toBe('2026-06-01T12:00:00Z');
  });

  it('an empty target keeps the label and still snapshots', async () => {
    const pod = startingPod({ targetPodPhase: '' });
    const client = new InMemoryPodClient([pod]);
    const result = await markUpdateCompleted(client, pod, resolver, { clock });
    expect(result?.metadata?.labels?.[SandboxPhaseLabelKey]).toBe('starting');
    expect(getInplaceUpdateState(result)?.stableContainerStatuses).toEqual({
      sandbox: { containerID: 'c-new', restartCount: 1 },
    });
  });

  it('an empty target on an idle-labelled pod keeps started-at: the cleanup follows the target, not the label', async () => {
    const pod = startingPod({ targetPodPhase: '' }, 'idle');
    pod.metadata!.labels![SandboxIDLabelKey] = 'sbx-1';
    const client = new InMemoryPodClient([pod]);
    const result = await markUpdateCompleted(client, pod, resolver, { clock });
    expect(result?.metadata?.labels?.[SandboxPhaseLabelKey]).toBe('idle');
    expect(result?.metadata?.labels?.[SandboxIDLabelKey]).toBe('sbx-1');
    expect(result?.metadata?.annotations?.[SandboxStartedAtAnnotationKey]).toBe('2026-06-01T12:00:00Z');
    expect(result?.metadata?.annotations?.[SandboxLastActiveAnnotationKey]).toBe('2026-06-01T12:00:00Z');
  });

  it('a target other than running drops the stable snapshot and sets no start time', async () => {
    const pod = startingPod({
      targetPodPhase: 'paused',
      stableContainerStatuses: { sandbox: { restartCount: 0 } },
    });
    const client = new InMemoryPodClient([pod]);
    const result = await markUpdateCompleted(client, pod, resolver, { clock });
    expect(result?.metadata?.labels?.[SandboxPhaseLabelKey]).toBe('paused');
    expect(getInplaceUpdateState(result)?.stableContainerStatuses).toBeUndefined();
    expect(result?.metadata?.annotations?.[SandboxStartedAtAnnotationKey]).toBeUndefined();
  });

  it('stopping → idle removes the sandbox-id label and the claim annotations in the same write', async () => {
    const claim = Object.fromEntries(IdleCleanupAnnotationKeys.map((k) => [k, 'x']));
    const kept = {
      [SandboxStartupTimeoutAnnotationKey]: '120',
      [SandboxIdleTimeoutAnnotationKey]: '600',
      [SandboxManagedLabelKeysAnnotationKey]: '[]',
      [SandboxLastActiveAnnotationKey]: '2026-06-01T11:00:00Z',
      unrelated: 'stays',
    };
    const pod = makePod({
      phase: 'stopping',
      labels: { [SandboxIDLabelKey]: 'sb-1', team: 'a' },
      annotations: { ...claim, ...kept },
      containers: [{ name: 'sandbox', image: 'pause:3.10', imageID: `pause@${PAUSE}`, containerID: 'c-3' }],
      state: {
        phase: 'stopping',
        targetImage: 'pause:3.10',
        targetImages: { sandbox: 'pause:3.10' },
        targetPodPhase: 'idle',
        lastContainerStatuses: { sandbox: { imageID: `app@${NEW}`, containerID: 'c-2' } },
        stableContainerStatuses: { sandbox: { containerID: 'c-2', restartCount: 0 } },
      },
    });
    const client = new InMemoryPodClient([pod]);
    const result = await markUpdateCompleted(client, pod, resolver, { clock });
    expect(client.writes).toBe(1);
    expect(result?.metadata?.labels).toEqual({
      'agentbox.navix.sh/sandbox-pool': 'pool-a',
      [SandboxPhaseLabelKey]: 'idle',
      team: 'a',
    });
    const { [PodAnnotationInPlaceUpdateStateKey]: state, ...rest } = result?.metadata?.annotations ?? {};
    expect(rest).toEqual(kept);
    expect(state).toBe(
      '{"phase":"completed","targetImage":"pause:3.10","targetImages":{"sandbox":"pause:3.10"},"targetPodPhase":"idle",' +
        '"updateTimestamp":"2026-06-01T12:00:00Z"}',
    );
  });

  it('another writer already completed the pod → undefined, nothing written', async () => {
    const caller = startingPod();
    const client = new InMemoryPodClient([startingPod({ phase: 'completed' }, 'running')]);
    expect(await markUpdateCompleted(client, caller, resolver, { clock })).toBeUndefined();
    expect(client.replaceAttempts).toBe(0);
  });

  it("the label changed since the caller's copy → undefined", async () => {
    const caller = startingPod();
    const client = new InMemoryPodClient([
      startingPod({ phase: 'stopping', targetPodPhase: 'idle' }, 'stopping'),
    ]);
    expect(await markUpdateCompleted(client, caller, resolver, { clock })).toBeUndefined();
    expect(client.replaceAttempts).toBe(0);
  });

  it('no state → undefined; not completed yet → undefined', async () => {
    const plain = makePod({ phase: 'idle' });
    expect(await markUpdateCompleted(new InMemoryPodClient([plain]), plain, resolver)).toBeUndefined();
    const pending = startingPod({ lastContainerStatuses: { sandbox: { containerID: 'c-new' } } });
    const client = new InMemoryPodClient([pending]);
    expect(await markUpdateCompleted(client, pending, resolver)).toBeUndefined();
    expect(client.replaceAttempts).toBe(0);
  });

  it('re-reads after a conflict and gives up quietly when the racer completed it', async () => {
    const pod = startingPod();
    const client = new InMemoryPodClient([pod]);
    client.injectConflicts(1, (p) => {
      p.metadata!.annotations![PodAnnotationInPlaceUpdateStateKey] =
        '{"phase":"completed","updateTimestamp":null}';
    });
    expect(await markUpdateCompleted(client, pod, resolver, { clock })).toBeUndefined();
    expect(client.replaceAttempts).toBe(1);
    expect(client.reads).toBe(2);
  });

  it('retries a plain conflict and writes', async () => {
    const pod = startingPod();
    const client = new InMemoryPodClient([pod]);
    client.injectConflicts(2);
    expect(await markUpdateCompleted(client, pod, resolver, { clock })).toBeDefined();
    expect(client.writes).toBe(1);
  });

  it('a malformed state → InvalidStateError, nothing written', async () => {
    const pod = makePod({ phase: 'starting', state: '{"phase":' });
    const client = new InMemoryPodClient([pod]);
    await expect(markUpdateCompleted(client, pod, resolver)).rejects.toThrow(InvalidStateError);
    expect(client.replaceAttempts).toBe(0);
  });
});

describe('claim → running → release → idle, end to end on the fakes', () => {
  it('follows the lifecycle and detects an unexpected restart', async () => {
    const idle = makePod({
      phase: 'idle',
      containers: [{ name: 'sandbox', image: 'pause:3.10', imageID: `pause@${PAUSE}`, containerID: 'c-1' }],
    });
    const client = new InMemoryPodClient([idle]);
    const kubeletRuns = (image: string, digest: string, containerID: string) =>
      client.modify('sandboxes', 'pool-a-1', (p) => {
        p.status!.containerStatuses = [
          {
            name: 'sandbox',
            image,
            imageID: `${image.split(':')[0]}@${digest}`,
            containerID,
            restartCount: 0,
            state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
          },
        ];
      });

    const claimed = await triggerUpdateWithOptions(
      client,
      idle,
      {
        containerImages: { sandbox: 'app:v1' },
        labels: { [SandboxIDLabelKey]: 'sb-1' },
        expectedCurrentSandboxPhase: 'idle',
        disableRetry: true,
      },
      { clock },
    );
    expect(claimed.metadata?.labels?.[SandboxPhaseLabelKey]).toBe('starting');
    expect(await markUpdateCompleted(client, claimed, resolver, { clock })).toBeUndefined();

    const started = kubeletRuns('app:v1', NEW, 'c-2');
    const running = await markUpdateCompleted(client, started, resolver, { clock });
    expect(running?.metadata?.labels?.[SandboxPhaseLabelKey]).toBe('running');
    expect(hasUnexpectedRestart(running)).toBe(false);
    expect(hasUnexpectedRestart(kubeletRuns('app:v1', NEW, 'c-2-restarted'))).toBe(true);

    const released = await triggerUpdateWithOptions(
      client,
      running!,
      { containerImages: { sandbox: 'pause:3.10' }, updatePodPhase: 'stopping', targetPodPhase: 'idle' },
      { clock },
    );
    expect(released.metadata?.labels?.[SandboxPhaseLabelKey]).toBe('stopping');
    const back = await markUpdateCompleted(client, kubeletRuns('pause:3.10', PAUSE, 'c-3'), resolver, {
      clock,
    });
    expect(back?.metadata?.labels?.[SandboxPhaseLabelKey]).toBe('idle');
    expect(back?.metadata?.labels?.[SandboxIDLabelKey]).toBeUndefined();
    expect(client.writes).toBe(4);
  });
});
