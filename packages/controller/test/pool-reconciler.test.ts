import {
  type Pod,
  PodAnnotationInPlaceUpdateStateKey,
  SandboxFailureMessageAnnotationKey,
  SandboxFailureReasonAnnotationKey,
  SandboxStopReasonAnnotationKey,
  serializeInplaceUpdateState,
} from '@agentbox/core';
import { createRegistryResolver } from '@agentbox/resolver-registry';
import { createTestNamespace, kubeConfigFor } from '@agentbox/testenv';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPodInformer } from '../src/informer/create-pod-informer.js';
import { createPoolInformer } from '../src/informer/create-pool-informer.js';
import type { Informer } from '../src/informer/informer.js';
import { createKubeClient, type KubeClient } from '../src/kube/kube-client.js';
import { eventsPath, podsPath, poolsPath } from '../src/kube/kube-paths.js';
import { createControllerMetrics } from '../src/observability/create-controller-metrics.js';
import { createEventRecorder } from '../src/observability/create-event-recorder.js';
import type { EventRecorder } from '../src/observability/event-recorder.js';
import { silentLogger } from '../src/observability/logger.js';
import { createPoolReconciler, type PoolReconciler } from '../src/pool/create-pool-reconciler.js';
import type { SandboxPool } from '../src/pool/sandbox-pool.js';

// The reconciler called directly (no manager, no node) on the real kube-apiserver with a fake clock: what it
// writes and when it asks to be called again.
describe('createPoolReconciler against the real kube-apiserver, fake clock', () => {
  const kc = kubeConfigFor(inject('controlPlane'));
  let kube: KubeClient;
  let namespace: string;
  let pods: Informer<Pod>;
  let pools: Informer<SandboxPool>;
  let recorder: EventRecorder;
  let reconciler: PoolReconciler;
  const resolver = createRegistryResolver({});
  let nowMs = Math.floor(Date.now() / 1000) * 1000;
  const clock = { now: () => new Date(nowMs) };
  const signal = new AbortController().signal;

  beforeAll(async () => {
    kube = await createKubeClient(kc);
    namespace = await createTestNamespace(kc, 'pool-reconciler');
    pods = createPodInformer(kube, { namespace });
    pools = createPoolInformer(kube, { namespace });
    pods.start();
    pools.start();
    await Promise.all([pods.synced, pools.synced]);
    recorder = createEventRecorder(kube, { clock });
    reconciler = createPoolReconciler({
      kube,
      pods,
      pools,
      resolver,
      recorder,
      metrics: createControllerMetrics(),
      logger: silentLogger,
      clock,
      options: { resyncIntervalMs: 30_000, random: () => 0.5 },
    });
  });
  afterAll(async () => {
    reconciler?.close();
    await recorder?.flush();
    await Promise.all([pods?.stop(), pools?.stop()]);
    await resolver.close();
    await kube?.close();
  });

  async function until<T>(
    what: string,
    check: () => T | undefined | false | Promise<T | undefined | false>,
  ): Promise<T> {
    const end = Date.now() + 30_000;
    for (;;) {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > end) throw new Error(`${what}: not reached`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const listPods = async (pool: string) =>
    (
      await kube.request<{ items: Pod[] }>({
        path: podsPath(namespace),
        query: { labelSelector: `agentbox.navix.sh/sandbox-pool=${pool}` },
      })
    ).items;
  async function createPool(name: string, replicas: number) {
    await kube.request({
      method: 'POST',
      path: poolsPath(namespace),
      body: {
        apiVersion: 'agents.navix.sh/v1alpha1',
        kind: 'SandboxPool',
        metadata: { name },
        spec: {
          replicas,
          idleImage: 'registry.invalid/idle:1',
          template: { spec: { containers: [{ name: 'main', image: 'registry.invalid/app:1' }] } },
        },
      },
    });
    await until('pool cached', () => pools.get(`${namespace}/${name}`));
  }

  it('a stale cache never over-creates: back-to-back reconciles create each missing pod once', async () => {
    await createPool('burst', 3);
    const key = `${namespace}/burst`;
    await reconciler.reconcile(key, signal);
    await reconciler.reconcile(key, signal); // the cache may not show the new pods yet
    await reconciler.reconcile(key, signal);
    expect(await listPods('burst')).toHaveLength(3);
    await until('cache shows 3 pods', () => pods.byIndex('pool', key).length === 3);
    expect(reconciler.expectations.satisfied(key)).toBe(true);
    await reconciler.reconcile(key, signal);
    expect(await listPods('burst')).toHaveLength(3);
  });

  it('requeues after the jittered resync without deadlines, at the earliest deadline otherwise', async () => {
    await createPool('timing', 1);
    const key = `${namespace}/timing`;
    await reconciler.reconcile(key, signal);
    const [pod] = await until('one pod cached', () => {
      const list = pods.byIndex('pool', key);
      return list.length === 1 && list;
    });
    expect(await reconciler.reconcile(key, signal)).toEqual({ requeueAfterMs: 30_000 });

    // Make it a claim in progress, triggered at T0 with a 20 s startup timeout.
    const t0 = nowMs;
    const fresh = await kube.request<Pod>({ path: podsPath(namespace, pod!.metadata!.name) });
    fresh.metadata!.labels!['agentbox.navix.sh/sandbox-phase'] = 'starting';
    fresh.metadata!.annotations = {
      ...(fresh.metadata!.annotations ?? {}),
      'agentbox.navix.sh/startup-timeout': '20',
      [PodAnnotationInPlaceUpdateStateKey]: serializeInplaceUpdateState({
        phase: 'starting',
        targetImages: { main: 'registry.invalid/work:1' },
        targetPodPhase: 'running',
        updateTimestamp: new Date(t0),
        lastContainerStatuses: { main: {} },
      }),
    };
    fresh.spec!.containers![0]!.image = 'registry.invalid/work:1';
    const stored = await kube.request<Pod>({
      method: 'PUT',
      path: podsPath(namespace, pod!.metadata!.name),
      body: fresh,
    });
    await until(
      'cache has the claim',
      () =>
        pods.get(`${namespace}/${stored.metadata!.name}`)?.metadata?.resourceVersion ===
        stored.metadata!.resourceVersion,
    );

    // A pending update gets a per-pod completion key; the pod before the claim (idle) did not.
    const podKey = `${namespace}/${stored.metadata!.name}`;
    expect(reconciler.completionKeyOf(pods.get(podKey)!)).toBe(`pod:${podKey}`);
    expect(reconciler.completionKeyOf(pod!)).toBeUndefined();

    nowMs = t0 + 2_000;
    // The Pending Event is due 10 s after the trigger, before the startup timeout.
    expect(await reconciler.reconcile(key, signal)).toEqual({ requeueAfterMs: 8_000 });
    nowMs = t0 + 12_000;
    // Then the startup timeout, before the resync.
    expect(await reconciler.reconcile(key, signal)).toEqual({ requeueAfterMs: 8_000 });
    await recorder.flush();
    const events = (
      await kube.request<{
        items: { reason?: string; message?: string; involvedObject?: { name?: string } }[];
      }>({ path: eventsPath(namespace) })
    ).items;
    const pending = events.find(
      (e) => e.reason === 'Pending' && e.involvedObject?.name === stored.metadata!.name,
    );
    expect(pending?.message).toMatch(/^NoStatus: container main: /);

    // Past the startup timeout it is released with the first explained reason.
    nowMs = t0 + 20_000;
    await reconciler.reconcile(key, signal);
    const released = await kube.request<Pod>({ path: podsPath(namespace, stored.metadata!.name) });
    expect(released.metadata?.labels?.['agentbox.navix.sh/sandbox-phase']).toBe('stopping');
    expect(released.metadata?.annotations?.[SandboxStopReasonAnnotationKey]).toBe('Released');
    expect(released.metadata?.annotations?.[SandboxFailureReasonAnnotationKey]).toBe('StartupTimeout');
    expect(released.metadata?.annotations?.[SandboxFailureMessageAnnotationKey]).toMatch(
      /^NoStatus: container main: /,
    );
    expect(released.spec?.containers?.[0]?.image).toBe('registry.invalid/idle:1');
  });

  it('writes nothing once its signal aborted (a replica that lost its Lease)', async () => {
    await createPool('fenced', 2);
    const aborted = new AbortController();
    aborted.abort(new Error('lease lost'));
    await expect(reconciler.reconcile(`${namespace}/fenced`, aborted.signal)).rejects.toThrow('lease lost');
    expect(await listPods('fenced')).toHaveLength(0);
    const pool = await kube.request<SandboxPool>({ path: poolsPath(namespace, 'fenced') });
    expect(pool.metadata?.finalizers ?? []).toEqual([]);
    expect(pool.status).toBeUndefined();
  });
});
