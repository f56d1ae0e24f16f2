// Shared set-up of the sandbox client's integration tests: a namespace on the real kube-apiserver, images
// in the real registry, the kubelet simulator as the node, and pools whose idle pods the test creates
// itself (standing in for the controller's T1, so the client is tested on its own).
import {
  markUpdateCompleted,
  type Pod,
  SandboxPhaseIdle,
  SandboxPhaseLabelKey,
  SandboxPoolLabelKey,
} from '@agentbox/core';
import { createRegistryResolver } from '@agentbox/resolver-registry';
import {
  createTestNamespace,
  type KubeletSimulator,
  kubeConfigFor,
  pushImage,
  registryFromProvided,
  startKubeletSimulator,
} from '@agentbox/testenv';
import type { KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { createPodClient } from '../src/kube/create-pod-client.js';
import { createKubeClient, type KubeClient } from '../src/kube/kube-client.js';
import { podsPath, poolsPath } from '../src/kube/kube-paths.js';
import type { SandboxPool, SandboxPoolSpec } from '../src/pool/sandbox-pool.js';

export interface SandboxFixture {
  kc: KubeConfig;
  kube: KubeClient;
  namespace: string;
  node: KubeletSimulator;
  resolver: ReturnType<typeof createRegistryResolver>;
  images: { idle: string; app: string; app2: string; missing: string };
  createPool(name: string, spec?: Partial<SandboxPoolSpec>): Promise<SandboxPool>;
  createIdlePods(pool: string, count: number, options?: { image?: string; sidecar?: string }): Promise<Pod[]>;
  waitForPods(selector: string, ok: (pods: Pod[]) => boolean, timeoutMs?: number): Promise<Pod[]>;
  /** Completes the pod's pending update like the controller's T4/T7 would, once kubelet runs the target. */
  complete(name: string, timeoutMs?: number): Promise<Pod>;
  close(): Promise<void>;
}

export async function startSandboxFixture(prefix: string): Promise<SandboxFixture> {
  const kc = kubeConfigFor(inject('controlPlane'));
  const kube = await createKubeClient(kc);
  const namespace = await createTestNamespace(kc, prefix);
  const registry = registryFromProvided(inject('registries').none);
  const repo = `${prefix}/sandbox`;
  const [idle, app, app2] = await Promise.all([
    pushImage(registry, { repository: repo, tag: 'idle' }),
    pushImage(registry, { repository: repo, tag: 'app' }),
    pushImage(registry, { repository: repo, tag: 'app2' }),
  ]);
  const node = await startKubeletSimulator(kc, { namespace });
  const resolver = createRegistryResolver({});
  const images = {
    idle: idle.reference,
    app: app.reference,
    app2: app2.reference,
    missing: `${registry.host}/${repo}:nope`,
  };

  async function waitForPods(
    selector: string,
    ok: (pods: Pod[]) => boolean,
    timeoutMs = 60_000,
  ): Promise<Pod[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const list = await kube.request<{ items: Pod[] }>({
        path: podsPath(namespace),
        query: { labelSelector: selector },
      });
      if (ok(list.items)) return list.items;
      if (Date.now() > deadline) throw new Error(`pods ${selector}: condition not met after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    kc,
    kube,
    namespace,
    node,
    resolver,
    images,
    waitForPods,
    async createPool(name, spec = {}) {
      return kube.request<SandboxPool>({
        method: 'POST',
        path: poolsPath(namespace),
        body: {
          apiVersion: 'agents.navix.sh/v1alpha1',
          kind: 'SandboxPool',
          metadata: { name },
          spec: {
            replicas: 0,
            idleImage: images.idle,
            template: { spec: { containers: [{ name: 'main', image: images.app }] } },
            ...spec,
          },
        },
      });
    },
    async createIdlePods(pool, count, options = {}) {
      const containers = [{ name: 'main', image: options.image ?? images.idle }];
      if (options.sidecar) containers.push({ name: 'sidecar', image: options.sidecar });
      const created = await Promise.all(
        Array.from({ length: count }, () =>
          kube.request<Pod>({
            method: 'POST',
            path: podsPath(namespace),
            body: {
              metadata: {
                generateName: `${pool}-`,
                labels: { [SandboxPoolLabelKey]: pool, [SandboxPhaseLabelKey]: SandboxPhaseIdle },
              },
              spec: { containers, terminationGracePeriodSeconds: 0 },
            },
          }),
        ),
      );
      const names = new Set(created.map((p) => p.metadata?.name));
      return waitForPods(
        `${SandboxPoolLabelKey}=${pool}`,
        (pods) => pods.filter((p) => names.has(p.metadata?.name) && isReady(p)).length === count,
        120_000,
      ).then((pods) => pods.filter((p) => names.has(p.metadata?.name)));
    },
    async complete(name, timeoutMs = 30_000) {
      const client = createPodClient(kube);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const pod = await client.getPod(namespace, name);
        const done = await markUpdateCompleted(client, pod, resolver);
        if (done) return done;
        if (Date.now() > deadline) throw new Error(`pod ${name}: update not completed after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await node.stop();
      await resolver.close();
      await kube.close();
    },
  };
}

export function isReady(pod: Pod): boolean {
  const conditions = (pod.status as { conditions?: { type?: string; status?: string }[] } | undefined)
    ?.conditions;
  return (
    pod.status?.phase === 'Running' &&
    (conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false)
  );
}
