import { type Pod, SandboxPoolLabelKey } from '@agentbox/core';
import { createTestNamespace, kubeConfigFor } from '@agentbox/testenv';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKubeClient, type KubeClient } from '../src/kube/kube-client.js';
import { podsPath, poolsPath } from '../src/kube/kube-paths.js';
import { silentLogger } from '../src/observability/logger.js';
import { type ManagerReconcilerDeps, startControllerWith } from '../src/start-controller.js';

// The manager with a recording reconcile in place of the pool reconciler (a test seam): servers, informers,
// the queue and the workers are the real ones, against the real kube-apiserver.
describe('startController (manager)', () => {
  const kc = kubeConfigFor(inject('controlPlane'));
  let kube: KubeClient;
  let namespace: string;

  beforeAll(async () => {
    kube = await createKubeClient(kc);
    namespace = await createTestNamespace(kc, 'manager');
  });
  afterAll(async () => {
    await kube.close();
  });

  const pool = (name: string) => ({
    apiVersion: 'agents.navix.sh/v1alpha1',
    kind: 'SandboxPool',
    metadata: { name, namespace },
    spec: { replicas: 0, template: { spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } } },
  });
  const pod = (name: string, poolName: string): Pod => ({
    metadata: { name, namespace, labels: { [SandboxPoolLabelKey]: poolName } },
    spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
  });

  async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('serves /healthz, /readyz and /metrics, enqueues pool keys from pod and pool events, stops cleanly', async () => {
    await kube.request({ method: 'POST', path: poolsPath(namespace), body: pool('p1') });
    const seen: string[] = [];
    let deps: ManagerReconcilerDeps | undefined;
    const controller = await startControllerWith(
      {
        kubeConfig: kc,
        namespace,
        logger: silentLogger,
        metricsAddress: '127.0.0.1:0',
        healthAddress: '127.0.0.1:0',
      },
      {
        reconciler: (d) => {
          deps = d;
          return {
            async reconcile(key) {
              seen.push(key);
              return {};
            },
          };
        },
      },
    );
    expect(controller.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(controller.healthUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${controller.healthUrl}/healthz`)).status).toBe(200);
    await controller.ready;
    expect((await fetch(`${controller.healthUrl}/readyz`)).status).toBe(200);
    expect(controller.isLeader()).toBe(true);
    expect(deps?.pools.hasSynced()).toBe(true);

    // The pool that existed before the start is reconciled once the caches synced.
    await until(() => seen.includes(`${namespace}/p1`));
    // A pod event enqueues the pod's pool (not the pod); a pool event enqueues the pool.
    seen.length = 0;
    await kube.request({ method: 'POST', path: podsPath(namespace), body: pod('a', 'p2') });
    await until(() => seen.includes(`${namespace}/p2`));
    expect(seen.every((k) => !k.endsWith('/a'))).toBe(true);
    await kube.request({ method: 'POST', path: poolsPath(namespace), body: pool('p3') });
    await until(() => seen.includes(`${namespace}/p3`));

    const text = await (await fetch(controller.metricsUrl!)).text();
    expect(text).toContain('agentbox_leader 1');
    expect(text).toMatch(/agentbox_reconcile_total\{result="success"\} [1-9]/);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
    expect((await fetch(`${controller.healthUrl}/nope`)).status).toBe(404);

    await controller.stop();
    expect(controller.isLeader()).toBe(false);
    await expect(fetch(`${controller.healthUrl}/healthz`)).rejects.toThrow();
  });

  it('lets an in-flight reconcile finish (and write) while stopping', async () => {
    await kube.request({ method: 'POST', path: poolsPath(namespace), body: pool('drain') });
    let entered = false;
    let wrote = false;
    const controller = await startControllerWith(
      { kubeConfig: kc, namespace, logger: silentLogger },
      {
        reconciler: (deps) => ({
          async reconcile(key, signal) {
            if (key !== `${namespace}/drain` || entered) return {};
            entered = true;
            await new Promise((r) => setTimeout(r, 500));
            await deps.kube.request({
              method: 'PATCH',
              path: poolsPath(namespace, 'drain'),
              body: { metadata: { annotations: { drained: 'yes' } } },
              signal,
            });
            wrote = true;
            return {};
          },
        }),
      },
    );
    await controller.ready;
    await until(() => entered);
    await controller.stop(); // called while the reconcile sleeps
    expect(wrote).toBe(true);
    const stored = await kube.request<{ metadata: { annotations?: Record<string, string> } }>({
      path: poolsPath(namespace, 'drain'),
    });
    expect(stored.metadata.annotations?.drained).toBe('yes');
  });

  it('aborts a reconcile that outlives the drain timeout', async () => {
    await kube.request({ method: 'POST', path: poolsPath(namespace), body: pool('slow') });
    let aborted = false;
    let entered = false;
    const controller = await startControllerWith(
      { kubeConfig: kc, namespace, logger: silentLogger, drainTimeoutMs: 1_000 },
      {
        reconciler: () => ({
          async reconcile(key, signal) {
            if (key !== `${namespace}/slow`) return {};
            entered = true;
            await new Promise<void>((resolve) => {
              const t = setTimeout(resolve, 60_000);
              signal.addEventListener(
                'abort',
                () => {
                  clearTimeout(t);
                  aborted = true;
                  resolve();
                },
                { once: true },
              );
            });
            return {};
          },
        }),
      },
    );
    await controller.ready;
    await until(() => entered);
    await controller.stop();
    expect(aborted).toBe(true);
  });

  it('refuses a bad bind address before starting anything', async () => {
    await expect(
      startControllerWith({ kubeConfig: kc, namespace, logger: silentLogger, metricsAddress: 'nope' }, {}),
    ).rejects.toMatchObject({ code: 'InvalidBindAddress' });
  });
});
