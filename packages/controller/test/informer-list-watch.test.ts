import { type Pod, SandboxPoolLabelKey } from '@agentbox/core';
import { createTestNamespace, kubeConfigFor } from '@agentbox/testenv';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createPodInformer, PodPoolIndex } from '../src/informer/create-pod-informer.js';
import { createPoolInformer } from '../src/informer/create-pool-informer.js';
import type { Informer, InformerEventType } from '../src/informer/informer.js';
import { createKubeClient, type KubeClient, type KubeRequest } from '../src/kube/kube-client.js';
import { podsPath, poolsPath } from '../src/kube/kube-paths.js';
import type { SandboxPool } from '../src/pool/sandbox-pool.js';

const waitFor = <T>(fn: () => T) => vi.waitFor(fn, { timeout: 15_000, interval: 20 });

interface Seen {
  type: InformerEventType;
  name: string;
  rv: string | undefined;
  oldRv: string | undefined;
  oldPhase: string | undefined;
}

function record<
  T extends { metadata?: { name?: string; resourceVersion?: string; labels?: Record<string, string> } },
>(informer: Informer<T>): Seen[] {
  const seen: Seen[] = [];
  informer.onEvent((type, obj, old) =>
    seen.push({
      type,
      name: obj.metadata?.name ?? '',
      rv: obj.metadata?.resourceVersion,
      oldRv: old?.metadata?.resourceVersion,
      oldPhase: old?.metadata?.labels?.['phase'],
    }),
  );
  return seen;
}

describe('informers against the real kube-apiserver', () => {
  const kc = kubeConfigFor(inject('controlPlane'));
  let kube: KubeClient;
  const informers: Array<Informer<unknown>> = [];

  beforeAll(async () => {
    kube = await createKubeClient(kc);
  });
  afterAll(async () => {
    await Promise.all(informers.map((i) => i.stop()));
    await kube.close();
  });

  const pod = (namespace: string, name: string, labels: Record<string, string>): Pod =>
    ({
      metadata: { name, namespace, labels },
      spec: {
        containers: [
          { name: 'main', image: 'busybox:1.36', command: ['sleep', '1d'], env: [{ name: 'A', value: 'b' }] },
        ],
      },
    }) as unknown as Pod;
  const createPod = (namespace: string, name: string, labels: Record<string, string>) =>
    kube.request<Pod>({ method: 'POST', path: podsPath(namespace), body: pod(namespace, name, labels) });

  it('lists, then watches adds, updates and deletes of pool pods, with the old object, trimmed and indexed by pool', async () => {
    const ns = await createTestNamespace(kc, 'informer-watch');
    await createPod(ns, 'before', { [SandboxPoolLabelKey]: 'a' });
    const informer = createPodInformer(kube, { namespace: ns });
    informers.push(informer as Informer<unknown>);
    const seen = record(informer);
    informer.start();
    await informer.synced;
    expect(informer.hasSynced()).toBe(true);
    expect(seen.map((s) => `${s.type} ${s.name}`)).toEqual(['add before']);

    const p1 = await createPod(ns, 'p1', { [SandboxPoolLabelKey]: 'a', phase: 'idle' });
    await createPod(ns, 'p2', { [SandboxPoolLabelKey]: 'b' });
    await createPod(ns, 'unlabelled', { app: 'other' });
    p1.metadata!.labels!['phase'] = 'running';
    const p1v2 = await kube.request<Pod>({ method: 'PUT', path: podsPath(ns, 'p1'), body: p1 });
    await kube.request({ method: 'DELETE', path: podsPath(ns, 'p2'), query: { gracePeriodSeconds: 0 } });

    await waitFor(() => expect(seen.filter((s) => s.type === 'delete')).toHaveLength(1));
    // The API server may write the deletion timestamp first (an update of p2) before it removes the pod.
    const order = seen.map((s) => `${s.type} ${s.name}`).filter((s) => s !== 'update p2');
    expect(order).toEqual(['add before', 'add p1', 'add p2', 'update p1', 'delete p2']);
    const update = seen.find((s) => s.type === 'update')!;
    expect(update.oldPhase).toBe('idle');
    expect(update.rv).toBe(p1v2.metadata?.resourceVersion);
    const deleted = seen.find((s) => s.type === 'delete')!;
    expect(deleted.oldRv).toBeTruthy();

    expect(informer.get(`${ns}/unlabelled`)).toBeUndefined();
    expect(informer.get(`${ns}/p2`)).toBeUndefined();
    expect(
      informer
        .byIndex(PodPoolIndex, `${ns}/a`)
        .map((p) => p.metadata?.name)
        .sort(),
    ).toEqual(['before', 'p1']);
    expect(informer.byIndex(PodPoolIndex, `${ns}/b`)).toEqual([]);
    expect(informer.list()).toHaveLength(2);

    // The cache keeps what the controller reads and nothing else.
    const cached = informer.get(`${ns}/p1`)!;
    expect((cached.metadata as Record<string, unknown>)['managedFields']).toBeUndefined();
    expect(cached.metadata?.uid).toBe(p1.metadata?.uid);
    expect(cached.spec?.containers).toEqual([{ name: 'main', image: 'busybox:1.36' }]);
    expect(informer.lastResourceVersion()).toBeTruthy();

    // A handler registered after the sync gets the cache replayed as adds.
    const late: string[] = [];
    informer.onEvent((type, obj) => late.push(`${type} ${obj.metadata?.name}`));
    expect(late.sort()).toEqual(['add before', 'add p1']);
  });

  it('lists in pages of pageSize', async () => {
    const ns = await createTestNamespace(kc, 'informer-pages');
    for (let i = 0; i < 23; i++) await createPod(ns, `p${i}`, { [SandboxPoolLabelKey]: 'big' });
    // A decorator over the real client that records the list requests.
    const lists: Array<KubeRequest['query']> = [];
    const recording: KubeClient = {
      ...kube,
      request: (req) => {
        lists.push(req.query);
        return kube.request(req);
      },
    };
    const informer = createPodInformer(recording, { namespace: ns, pageSize: 5 });
    informers.push(informer as Informer<unknown>);
    informer.start();
    await informer.synced;
    expect(informer.byIndex(PodPoolIndex, `${ns}/big`)).toHaveLength(23);
    expect(lists).toHaveLength(5);
    expect(lists.every((q) => q?.['limit'] === 5)).toBe(true);
    expect(lists[0]?.['continue']).toBeUndefined();
    expect(lists.slice(1).every((q) => typeof q?.['continue'] === 'string')).toBe(true);
  });

  it('caches SandboxPools without managedFields and sees their changes', async () => {
    const ns = await createTestNamespace(kc, 'informer-pools');
    const informer = createPoolInformer(kube, { namespace: ns });
    informers.push(informer as Informer<unknown>);
    const seen = record(informer);
    informer.start();
    await informer.synced;
    const body: SandboxPool = {
      apiVersion: 'agents.navix.sh/v1alpha1',
      kind: 'SandboxPool',
      metadata: { name: 'pool-a', namespace: ns },
      spec: { replicas: 2, idleImage: 'busybox:1.36' },
    };
    const created = await kube.request<SandboxPool>({ method: 'POST', path: poolsPath(ns), body });
    expect((created.metadata as Record<string, unknown>)['managedFields']).toBeDefined();
    created.spec!.replicas = 3;
    await kube.request({ method: 'PUT', path: poolsPath(ns, 'pool-a'), body: created });
    await waitFor(() => expect(informer.get(`${ns}/pool-a`)?.spec?.replicas).toBe(3));
    expect(seen.map((s) => `${s.type} ${s.name}`)).toEqual(['add pool-a', 'update pool-a']);
    const cached = informer.get(`${ns}/pool-a`)!;
    expect((cached.metadata as Record<string, unknown>)['managedFields']).toBeUndefined();
    expect(cached.spec?.podCreationImagePolicy).toBe('IdleImage');
  });
});
