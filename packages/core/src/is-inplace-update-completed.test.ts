import { describe, expect, it } from 'vitest';
import { makePod, type TestContainer } from '../test/pod-fixtures.js';
import { InvalidStateError } from './errors/invalid-state-error.js';
import { isInplaceUpdateCompleted } from './is-inplace-update-completed.js';
import type { InplaceUpdateState } from './state/inplace-update-state.js';
import { fakeDigest, SeededDigestResolver } from './testing/index.js';

const OLD = fakeDigest('old');
const NEW = fakeDigest('new');
const stamp = new Date('2026-01-01T00:00:00Z');

/** A pod claimed to app:v1 (recorded: pause image, containerID c-old) with kubelet reporting `status`. */
function starting(status: Partial<TestContainer>, state: Partial<InplaceUpdateState> = {}) {
  return makePod({
    phase: 'starting',
    containers: [
      {
        name: 'sandbox',
        image: 'app:v1',
        imageID: `docker.io/library/app@${NEW}`,
        containerID: 'containerd://c-new',
        ...status,
      },
    ],
    state: {
      phase: 'starting',
      targetImage: 'app:v1',
      targetImages: { sandbox: 'app:v1' },
      targetPodPhase: 'running',
      updateTimestamp: stamp,
      lastContainerStatuses: {
        sandbox: { imageID: `docker.io/library/pause@${OLD}`, containerID: 'containerd://c-old' },
      },
      ...state,
    },
  });
}

const resolver = () => new SeededDigestResolver({ digests: { 'app:v1': NEW } });

describe('isInplaceUpdateCompleted (SPEC 2.2)', () => {
  it('no state → completed; state completed → completed', async () => {
    expect(await isInplaceUpdateCompleted(makePod(), resolver())).toBe(true);
    expect(await isInplaceUpdateCompleted(starting({}, { phase: 'completed' }), resolver())).toBe(true);
  });

  it('running digest equals the resolved target digest → completed', async () => {
    const r = resolver();
    expect(await isInplaceUpdateCompleted(starting({}), r)).toBe(true);
    expect(r.calls.map((c) => c.method)).toEqual(['resolve']);
  });

  it('spec image differs from targetImages (edited again) → not completed', async () => {
    expect(await isInplaceUpdateCompleted(starting({ image: 'app:v3' }), resolver())).toBe(false);
  });

  it('container missing from status → not completed', async () => {
    expect(await isInplaceUpdateCompleted(starting({ imageID: null }), resolver())).toBe(false);
  });

  it('container missing from the spec → not completed', async () => {
    const pod = starting({});
    pod.spec!.containers = [{ name: 'other', image: 'x:1' }];
    expect(await isInplaceUpdateCompleted(pod, resolver())).toBe(false);
  });

  it('kubelet reports docker.io/library/app:v1 for spec app:v1 → completed (names never compared)', async () => {
    expect(
      await isInplaceUpdateCompleted(starting({ statusImage: 'docker.io/library/app:v1' }), resolver()),
    ).toBe(true);
  });

  it('kubelet reports docker.io/library/ubuntu:22.04 for spec ubuntu:22.04 → completed (names never compared)', async () => {
    const pod = makePod({
      phase: 'starting',
      containers: [
        {
          name: 'sandbox',
          image: 'ubuntu:22.04',
          statusImage: 'docker.io/library/ubuntu:22.04',
          imageID: `docker.io/library/ubuntu@${NEW}`,
          containerID: 'containerd://2',
        },
      ],
      state: {
        phase: 'starting',
        targetImages: { sandbox: 'ubuntu:22.04' },
        lastContainerStatuses: { sandbox: { containerID: 'containerd://1' } },
      },
    });
    expect(
      await isInplaceUpdateCompleted(pod, new SeededDigestResolver({ digests: { 'ubuntu:22.04': NEW } })),
    ).toBe(true);
  });

  it("status shows another repository's name with the target's digest → completed", async () => {
    const pod = starting({
      statusImage: 'mirror.local/other/name:x',
      imageID: `mirror.local/other/name@${NEW}`,
    });
    expect(await isInplaceUpdateCompleted(pod, resolver())).toBe(true);
  });

  it('accepts docker-pullable:// and bare digests as running image IDs', async () => {
    expect(
      await isInplaceUpdateCompleted(starting({ imageID: `docker-pullable://app@${NEW}` }), resolver()),
    ).toBe(true);
    expect(await isInplaceUpdateCompleted(starting({ imageID: NEW }), resolver())).toBe(true);
  });

  it('tag resolves to a new digest but the pod still runs the old one → not completed', async () => {
    const r = resolver();
    r.setDigest('app:v1', fakeDigest('newer'));
    r.setConfigDigest(NEW, fakeDigest('cfg-1'));
    r.setConfigDigest(fakeDigest('newer'), fakeDigest('cfg-2'));
    expect(await isInplaceUpdateCompleted(starting({}), r)).toBe(false);
  });

  it('manifest digests differ, config digests equal → completed; both differ → not completed', async () => {
    const r = resolver();
    const repushed = fakeDigest('re-pushed');
    r.setDigest('app:v1', repushed);
    r.setConfigDigest(NEW, fakeDigest('cfg'));
    r.setConfigDigest(repushed, fakeDigest('cfg'));
    expect(await isInplaceUpdateCompleted(starting({}), r)).toBe(true);
    expect(r.calls.filter((c) => c.method === 'resolveConfigDigest').map((c) => c.ref)).toEqual([
      `docker.io/library/app@${NEW}`,
      'app:v1',
    ]);
    r.setConfigDigest(repushed, fakeDigest('cfg-other'));
    expect(await isInplaceUpdateCompleted(starting({}), r)).toBe(false);
  });

  it('two empty (or invalid) config digests never count as the same config → not completed', async () => {
    const r = resolver();
    const repushed = fakeDigest('re-pushed');
    r.setDigest('app:v1', repushed);
    for (const config of ['', 'sha256:', 'not-a-digest']) {
      r.setConfigDigest(NEW, config);
      r.setConfigDigest(repushed, config);
      expect(await isInplaceUpdateCompleted(starting({}), r)).toBe(false);
    }
  });

  it('asks the config of the running image where the imageID names no repository', async () => {
    const r = resolver();
    r.setDigest('app:v1', fakeDigest('re-pushed'));
    await isInplaceUpdateCompleted(
      starting({ imageID: `docker://${NEW}`, statusImage: 'quay.io/a/app:v1' }),
      r,
    );
    expect(r.calls.find((c) => c.method === 'resolveConfigDigest')?.ref).toBe(`quay.io/a/app@${NEW}`);
    r.calls.length = 0;
    await isInplaceUpdateCompleted(starting({ imageID: NEW, statusImage: NEW }), r);
    expect(r.calls.find((c) => c.method === 'resolveConfigDigest')?.ref).toBe(`docker.io/library/app@${NEW}`);
  });

  it('any resolver error → not completed', async () => {
    const r = resolver();
    r.fail('app:v1', new Error('registry down'));
    expect(await isInplaceUpdateCompleted(starting({}), r)).toBe(false);
    const unseeded = new SeededDigestResolver();
    expect(await isInplaceUpdateCompleted(starting({}), unseeded)).toBe(false);
    const noConfig = resolver();
    noConfig.setDigest('app:v1', fakeDigest('x'));
    expect(await isInplaceUpdateCompleted(starting({}), noConfig)).toBe(false);
  });

  it('an imageID without a digest (still pulling) → not completed', async () => {
    expect(await isInplaceUpdateCompleted(starting({ imageID: '' }), resolver())).toBe(false);
  });

  it('two containers, the sidecar still old → not completed', async () => {
    const pod = makePod({
      phase: 'starting',
      containers: [
        { name: 'sandbox', image: 'app:v1', imageID: `app@${NEW}`, containerID: 'c-new' },
        { name: 'sidecar', image: 'side:v2', imageID: `side@${OLD}`, containerID: 'side-new' },
      ],
      state: {
        phase: 'starting',
        targetImages: { sandbox: 'app:v1', sidecar: 'side:v2' },
        lastContainerStatuses: { sandbox: { containerID: 'c-old' }, sidecar: { containerID: 'side-old' } },
      },
    });
    const r = new SeededDigestResolver({ digests: { 'app:v1': NEW, 'side:v2': fakeDigest('side-v2') } });
    expect(await isInplaceUpdateCompleted(pod, r)).toBe(false);
    r.setDigest('side:v2', OLD);
    expect(await isInplaceUpdateCompleted(pod, r)).toBe(true);
  });

  describe('secondary signal: the containerID', () => {
    // Back to the idle image after a failed pull: the container never left the pause digest.
    const stopping = (containerID: string) =>
      makePod({
        phase: 'stopping',
        containers: [{ name: 'sandbox', image: 'pause:3.10', imageID: `pause@${OLD}`, containerID }],
        state: {
          phase: 'stopping',
          targetImage: 'pause:3.10',
          targetImages: { sandbox: 'pause:3.10' },
          targetPodPhase: 'idle',
          lastContainerStatuses: { sandbox: { imageID: `pause@${OLD}`, containerID: 'containerd://c-old' } },
        },
      });
    const r = new SeededDigestResolver({ digests: { 'pause:3.10': OLD } });

    it('stopping to an image the container already had, containerID unchanged → not completed', async () => {
      expect(await isInplaceUpdateCompleted(stopping('containerd://c-old'), r)).toBe(false);
    });

    it('containerID changed → completed', async () => {
      expect(await isInplaceUpdateCompleted(stopping('containerd://c-2'), r)).toBe(true);
    });

    it('new imageID already reported but containerID still the recorded one (half-written) → not completed', async () => {
      expect(
        await isInplaceUpdateCompleted(starting({ containerID: 'containerd://c-old' }), resolver()),
      ).toBe(false);
    });

    it('empty containerID in the status → not completed', async () => {
      expect(await isInplaceUpdateCompleted(starting({ containerID: '' }), resolver())).toBe(false);
    });

    it('skipped when no containerID was recorded', async () => {
      const pod = starting(
        { containerID: '' },
        { lastContainerStatuses: { sandbox: { imageID: `pause@${OLD}` } } },
      );
      expect(await isInplaceUpdateCompleted(pod, resolver())).toBe(true);
    });
  });

  describe('the container must be shown running', () => {
    // kubelet's status writes are split: the new imageID can arrive beside the killed container's id and state.
    const killed = { terminated: { exitCode: 137, reason: 'Error' } };

    it('claimed while the container was still being created (none recorded), new imageID beside the killed idle container → not completed', async () => {
      const pod = starting(
        { containerID: 'containerd://c-idle', state: killed },
        { lastContainerStatuses: { sandbox: {} } },
      );
      expect(await isInplaceUpdateCompleted(pod, resolver())).toBe(false);
    });

    it('a container started and killed since the trigger, its id differing from the recorded one → not completed', async () => {
      expect(
        await isInplaceUpdateCompleted(
          starting({ containerID: 'containerd://c-mid', state: killed }),
          resolver(),
        ),
      ).toBe(false);
    });

    it('waiting (created, not started) → not completed; running → completed', async () => {
      const waiting = { waiting: { reason: 'ContainerCreating' } };
      expect(await isInplaceUpdateCompleted(starting({ state: waiting }), resolver())).toBe(false);
      expect(await isInplaceUpdateCompleted(starting({}), resolver())).toBe(true);
    });
  });

  it('passes the namespace and pull secret names to the resolver', async () => {
    const pod = makePod({
      namespace: 'team-a',
      pullSecrets: ['regcred', ''],
      phase: 'starting',
      containers: [{ name: 'sandbox', image: 'app:v1', imageID: `app@${NEW}`, containerID: 'n' }],
      state: {
        phase: 'starting',
        targetImages: { sandbox: 'app:v1' },
        lastContainerStatuses: { sandbox: {} },
      },
    });
    const r = resolver();
    const signal = new AbortController().signal;
    expect(await isInplaceUpdateCompleted(pod, r, { signal })).toBe(true);
    expect(r.calls[0]?.opts).toEqual({ namespace: 'team-a', pullSecrets: ['regcred'], signal });
  });

  it('throws the abort reason instead of answering false', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(
      isInplaceUpdateCompleted(starting({}), resolver(), { signal: controller.signal }),
    ).rejects.toThrow('cancelled');
  });

  it('a malformed state → InvalidStateError', async () => {
    await expect(isInplaceUpdateCompleted(makePod({ state: '{"phase":' }), resolver())).rejects.toThrow(
      InvalidStateError,
    );
  });
});
