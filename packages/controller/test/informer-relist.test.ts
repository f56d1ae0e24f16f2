import { type Pod, SandboxPoolLabelKey } from '@agentbox/core';
import {
  type ControlPlane,
  createTestNamespace,
  kubeConfigFor,
  startControlPlane,
  startTcpRelay,
  type TcpRelay,
} from '@agentbox/testenv';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPodInformer } from '../src/informer/create-pod-informer.js';
import type { Informer, InformerEventType } from '../src/informer/informer.js';
import { isKubeStatus } from '../src/kube/kube-api-error.js';
import { createKubeClient, type KubeClient } from '../src/kube/kube-client.js';
import { podsPath } from '../src/kube/kube-paths.js';
import type { Logger } from '../src/observability/logger.js';

const waitFor = <T>(fn: () => T) => vi.waitFor(fn, { timeout: 30_000, interval: 50 });

// A control plane of its own: without the watch cache, watches are served by etcd, and with a 1 s compaction
// interval a watch from a resourceVersion a few seconds old gets a real `410 Expired` from the API server.
describe('informer relist after a real 410 (etcd compaction, watch cache off)', () => {
  let cp: ControlPlane;
  let direct: KubeClient;
  let relay: TcpRelay;
  let viaRelay: KubeClient;
  let informer: Informer<Pod> | undefined;
  let lists = 0;

  beforeAll(async () => {
    cp = await startControlPlane({
      extraApiServerArgs: ['--watch-cache=false', '--etcd-compaction-interval=1s'],
    });
    direct = await createKubeClient(cp.kubeConfig);
    relay = await startTcpRelay(cp.server);
    const relayed = await createKubeClient(kubeConfigFor({ ...cp, server: relay.server }));
    viaRelay = {
      ...relayed,
      request: (req) => {
        lists++;
        return relayed.request(req);
      },
      close: () => relayed.close(),
    };
  });
  afterAll(async () => {
    await informer?.stop();
    await viaRelay?.close();
    await relay?.close();
    await direct?.close();
    await cp?.stop();
  });

  const podBody = (namespace: string, name: string, phase: string): Pod => ({
    metadata: { name, namespace, labels: { [SandboxPoolLabelKey]: 'p', phase } },
    spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
  });

  it('relists when the watch resourceVersion was compacted away, emitting the differences', async () => {
    const ns = await createTestNamespace(cp.kubeConfig, 'informer-410');
    for (const name of ['keep', 'change', 'gone']) {
      await direct.request({ method: 'POST', path: podsPath(ns), body: podBody(ns, name, 'idle') });
    }
    const events: string[] = [];
    const olds = new Map<string, string | undefined>();
    const logged: Array<{ msg: string | undefined; outcome: unknown }> = [];
    const logger: Logger = {
      debug() {},
      info: (obj, msg) => logged.push({ msg, outcome: (obj as { outcome?: unknown }).outcome }),
      warn() {},
      error() {},
      child: () => logger,
    };
    informer = createPodInformer(viaRelay, { namespace: ns, backoffInitialMs: 50, logger });
    informer.onEvent((type: InformerEventType, obj, old) => {
      events.push(`${type} ${obj.metadata?.name}`);
      if (type !== 'add') olds.set(`${type} ${obj.metadata?.name}`, old?.metadata?.labels?.['phase']);
    });
    informer.start();
    await informer.synced;
    // Wait until the watch is live (it delivers a new pod), then remember where it stands.
    await direct.request({ method: 'POST', path: podsPath(ns), body: podBody(ns, 'warm', 'idle') });
    await waitFor(() => expect(informer!.get(`${ns}/warm`)).toBeDefined());
    const staleVersion = informer.lastResourceVersion();
    expect(lists).toBe(1);

    // Disconnect the informer and keep it away while the pods change and etcd compacts past its version.
    relay.hold();
    relay.cutAll();
    const change = await direct.request<Pod>({ path: podsPath(ns, 'change') });
    change.metadata!.labels!['phase'] = 'running';
    await direct.request({ method: 'PUT', path: podsPath(ns, 'change'), body: change });
    await direct.request({ method: 'DELETE', path: podsPath(ns, 'gone'), query: { gracePeriodSeconds: 0 } });
    await direct.request({ method: 'POST', path: podsPath(ns), body: podBody(ns, 'new', 'idle') });
    // A watch from revision R reads from R + 1, so R + 1 must be compacted too (an exact read of R alone can
    // already fail while a watch from R still works, when etcd compacted exactly to R + 1).
    const firstUnseen = String(Number(staleVersion) + 1);
    await waitFor(async () => {
      const err = await direct
        .request({
          path: podsPath(ns),
          query: { resourceVersion: firstUnseen, resourceVersionMatch: 'Exact', limit: 1 },
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(isKubeStatus(err, 410)).toBe(true);
    });
    events.length = 0;
    relay.release();

    // The re-watch from the stale version gets 410 Expired; the relist brings the cache up to date.
    await waitFor(() => expect(informer!.get(`${ns}/new`)).toBeDefined());
    await waitFor(() => expect(informer!.get(`${ns}/gone`)).toBeUndefined());
    expect(lists).toBe(2);
    // The relist came from the watch's ERROR event (code 410), not from a failed request.
    expect(logged).toContainEqual({ msg: 'relisting', outcome: 'expired' });
    expect(events.sort()).toEqual(['add new', 'delete gone', 'update change']);
    expect(olds.get('update change')).toBe('idle');
    expect(olds.get('delete gone')).toBe('idle');
    expect(informer.get(`${ns}/change`)?.metadata?.labels?.['phase']).toBe('running');
    expect(
      informer
        .list()
        .map((p) => p.metadata?.name)
        .sort(),
    ).toEqual(['change', 'keep', 'new', 'warm']);
    expect(Number(informer.lastResourceVersion())).toBeGreaterThan(Number(staleVersion));
  });

  it('starts the list over when a continue token expired between pages (a 410 response)', async () => {
    const ns = await createTestNamespace(cp.kubeConfig, 'informer-410-list');
    for (let i = 0; i < 5; i++) {
      await direct.request({ method: 'POST', path: podsPath(ns), body: podBody(ns, `p${i}`, 'idle') });
    }
    // A decorator over the real client that holds the first continued page until etcd compacted past the
    // list's snapshot, and records what every request got.
    const outcomes: string[] = [];
    let firstVersion = '';
    let held = false;
    const gated: KubeClient = {
      ...direct,
      async request<T>(req: Parameters<KubeClient['request']>[0]): Promise<T> {
        if (req.query?.['continue'] && !held) {
          held = true;
          await direct.request({ method: 'POST', path: podsPath(ns), body: podBody(ns, 'late', 'idle') });
          await waitFor(async () => {
            const err = await direct
              .request({
                path: podsPath(ns),
                query: { resourceVersion: firstVersion, resourceVersionMatch: 'Exact', limit: 1 },
              })
              .then(
                () => undefined,
                (e: unknown) => e,
              );
            expect(isKubeStatus(err, 410)).toBe(true);
          });
        }
        try {
          const res = await direct.request<T>(req);
          firstVersion ||=
            (res as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion ?? '';
          outcomes.push(req.query?.['continue'] ? 'page' : 'first page');
          return res;
        } catch (err) {
          outcomes.push(isKubeStatus(err, 410) ? 'page 410' : 'page failed');
          throw err;
        }
      },
    };
    const pageInformer = createPodInformer(gated, { namespace: ns, pageSize: 2, backoffInitialMs: 50 });
    try {
      pageInformer.start();
      await pageInformer.synced;
      expect(outcomes).toEqual(['first page', 'page 410', 'first page', 'page', 'page']);
      expect(
        pageInformer
          .list()
          .map((p) => p.metadata?.name)
          .sort(),
      ).toEqual(['late', 'p0', 'p1', 'p2', 'p3', 'p4']);
    } finally {
      await pageInformer.stop();
    }
  });
});
