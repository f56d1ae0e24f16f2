import {
  getInplaceUpdateState,
  isInplaceUpdateCompleted,
  type Pod,
  PodAnnotationInPlaceUpdateStateKey,
  SandboxIDLabelKey,
  SandboxPhaseLabelKey,
  SandboxStartedAtAnnotationKey,
  systemClock,
} from '@agentbox/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trimPod } from '../src/informer/trim-pod.js';
import { createPodClient } from '../src/kube/create-pod-client.js';
import type { KubeClient, KubeRequest } from '../src/kube/kube-client.js';
import { podsPath } from '../src/kube/kube-paths.js';
import { patchUpdateCompleted } from '../src/pool/internal/patch-update-completed.js';
import { createSandboxClient } from '../src/sandbox/create-sandbox-client.js';
import type { SandboxClient } from '../src/sandbox/sandbox-client.js';
import { type SandboxFixture, startSandboxFixture } from './sandbox-fixture.js';

// The one-request completion on the real kube-apiserver and the simulator: from an informer's (trimmed) copy,
// guarded by test operations instead of a resourceVersion.
describe('patchUpdateCompleted', () => {
  let fx: SandboxFixture;
  let client: SandboxClient;

  beforeAll(async () => {
    fx = await startSandboxFixture('patch-complete');
    client = createSandboxClient({ kubeConfig: fx.kc });
    await fx.createPool('p');
  });
  afterAll(async () => {
    await client?.close();
    await fx?.close();
  });

  function counting(kube: KubeClient): { kube: KubeClient; methods: string[] } {
    const methods: string[] = [];
    return {
      methods,
      kube: {
        ...kube,
        request<T>(req: KubeRequest) {
          methods.push(req.method ?? 'GET');
          return kube.request<T>(req);
        },
      },
    };
  }

  async function claimedAndSwapped(): Promise<Pod> {
    await fx.createIdlePods('p', 1);
    const sandbox = await client.claim({ namespace: fx.namespace, pool: 'p', image: fx.images.app });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const pod = await fx.kube.request<Pod>({ path: podsPath(fx.namespace, sandbox.pod) });
      if (await isInplaceUpdateCompleted(pod, fx.resolver)) return pod;
      if (Date.now() > deadline) throw new Error(`pod ${sandbox.pod} never ran the target`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('completes a done update in one PATCH from a trimmed copy, even after a status write bumped the resourceVersion', async () => {
    const pod = await claimedAndSwapped();
    const cached = trimPod(pod);
    // A kubelet-like status write after the copy was taken: a resourceVersion precondition would now fail.
    const fresh = await fx.kube.request<Pod>({ path: podsPath(fx.namespace, pod.metadata!.name) });
    await fx.kube.request({
      method: 'PUT',
      path: `${podsPath(fx.namespace, pod.metadata!.name)}/status`,
      body: { ...fresh, status: { ...fresh.status, message: 'status bumped' } },
    });
    const { kube, methods } = counting(fx.kube);
    const stored = await patchUpdateCompleted(kube, createPodClient(kube), cached, fx.resolver, {
      clock: systemClock,
    });
    expect(methods).toEqual(['PATCH']);
    expect(stored?.metadata?.labels?.[SandboxPhaseLabelKey]).toBe('running');
    expect(getInplaceUpdateState(stored!)?.phase).toBe('completed');
    expect(stored?.metadata?.annotations?.[SandboxStartedAtAnnotationKey]).toBeTruthy();
    expect(stored?.metadata?.labels?.[SandboxIDLabelKey]).toBe(pod.metadata?.labels?.[SandboxIDLabelKey]);
    // Nothing else of the pod changed: its spec and the labels and annotations the edit leaves alone.
    expect(stored?.spec).toEqual(fresh.spec);
    for (const [k, v] of Object.entries(pod.metadata?.labels ?? {}))
      if (k !== SandboxPhaseLabelKey) expect(stored?.metadata?.labels?.[k]).toBe(v);
  });

  it('falls back to GET + PUT when the pod moved on since the copy, and writes nothing stale', async () => {
    const pod = await claimedAndSwapped();
    const cached = trimPod(pod);
    // Someone changed the update state after the copy (here: another writer re-stamped it).
    const state = JSON.parse(pod.metadata!.annotations![PodAnnotationInPlaceUpdateStateKey]!);
    const changed = await fx.kube.request<Pod>({
      method: 'PATCH',
      path: podsPath(fx.namespace, pod.metadata!.name),
      body: {
        metadata: {
          annotations: {
            [PodAnnotationInPlaceUpdateStateKey]: JSON.stringify({ ...state, phase: 'completed' }),
          },
        },
      },
    });
    const { kube, methods } = counting(fx.kube);
    const stored = await patchUpdateCompleted(kube, createPodClient(kube), cached, fx.resolver, {
      clock: systemClock,
    });
    // The PATCH's test failed (422); the re-read sees an already completed state and writes nothing.
    expect(methods).toEqual(['PATCH', 'GET']);
    expect(stored).toBeUndefined();
    const now = await fx.kube.request<Pod>({ path: podsPath(fx.namespace, pod.metadata!.name) });
    expect(now.metadata?.resourceVersion).toBe(changed.metadata?.resourceVersion);
    expect(now.metadata?.labels?.[SandboxPhaseLabelKey]).toBe('starting');
  });
});
