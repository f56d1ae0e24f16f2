// Shared set-up of the controller scenarios: a namespace on the real kube-apiserver, images in the real
// registry, the kubelet simulator as the node, the controller started through the manager (with the pool
// reconciler's timing options shortened so the suite stays fast) and the sandbox client for claims.
import type { DigestResolver, Pod } from '@agentbox/core';
import { createRegistryResolver } from '@agentbox/resolver-registry';
import {
  createTestNamespace,
  type KubeletSimulator,
  type KubeletSimulatorOptions,
  kubeConfigFor,
  pushImage,
  registryFromProvided,
  startKubeletSimulator,
} from '@agentbox/testenv';
import type { KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { createKubeClient, type KubeClient } from '../src/kube/kube-client.js';
import { eventsPath, podsPath, poolsPath } from '../src/kube/kube-paths.js';
import type { Logger } from '../src/observability/logger.js';
import { createPoolReconciler } from '../src/pool/create-pool-reconciler.js';
import type { PoolReconcilerOptions } from '../src/pool/pool-reconciler-options.js';
import type { SandboxPool, SandboxPoolSpec } from '../src/pool/sandbox-pool.js';
import { createSandboxClient } from '../src/sandbox/create-sandbox-client.js';
import type { SandboxClient } from '../src/sandbox/sandbox-client.js';
import { type RunningController, startControllerWith } from '../src/start-controller.js';

/** One log entry the controller wrote. */
export interface LogEntry {
  level: string;
  msg?: string;
  [key: string]: unknown;
}

/** A core/v1 Event as the API server returns it. */
export interface KubeEvent {
  reason?: string;
  type?: string;
  message?: string;
  count?: number;
  involvedObject?: { kind?: string; name?: string };
}

export interface ScenarioFixture {
  kc: KubeConfig;
  kube: KubeClient;
  namespace: string;
  node: KubeletSimulator;
  resolver: DigestResolver & { close?: () => Promise<void> };
  client: SandboxClient;
  logs: LogEntry[];
  /** Pushes a fresh image (a new tag every call) and returns its reference. */
  image(tag: string): Promise<string>;
  /** A reference to a tag that does not exist in the registry. */
  missingImage(tag: string): string;
  startController(): Promise<RunningController>;
  stopController(): Promise<void>;
  createPool(name: string, spec: Partial<SandboxPoolSpec>): Promise<SandboxPool>;
  patchPoolSpec(name: string, spec: Partial<SandboxPoolSpec>): Promise<SandboxPool>;
  getPool(name: string): Promise<SandboxPool | undefined>;
  pods(pool: string): Promise<Pod[]>;
  readPod(name: string): Promise<Pod | undefined>;
  events(objectName?: string): Promise<KubeEvent[]>;
  until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** Options of startScenarioFixture. */
export interface ScenarioFixtureOptions {
  reconciler?: PoolReconcilerOptions;
  node?: Partial<KubeletSimulatorOptions>;
  resolver?: DigestResolver & { close?: () => Promise<void> };
  /** Let the controller build its default resolver (pull secrets read through the cluster). Default: false. */
  defaultResolver?: boolean;
  /** Serve `/metrics` on a free loopback port. Default: false. */
  metrics?: boolean;
}

export async function startScenarioFixture(
  prefix: string,
  options: ScenarioFixtureOptions = {},
): Promise<ScenarioFixture> {
  const kc = kubeConfigFor(inject('controlPlane'));
  const kube = await createKubeClient(kc);
  const namespace = await createTestNamespace(kc, prefix);
  const registry = registryFromProvided(inject('registries').none);
  const repo = `${prefix}/${namespace}`;
  const node = await startKubeletSimulator(kc, { namespace, ...(options.node ?? {}) });
  const resolver = options.resolver ?? createRegistryResolver({});
  const logs: LogEntry[] = [];
  const logger = captureLogger(logs, {});
  const client = createSandboxClient({ kubeConfig: kc, resolver, scaleDownProtectionMs: 2000 });
  let controller: RunningController | undefined;
  let pushed = 0;

  const fx: ScenarioFixture = {
    kc,
    kube,
    namespace,
    node,
    resolver,
    client,
    logs,
    async image(tag) {
      pushed++;
      return (await pushImage(registry, { repository: repo, tag: `${tag}-${pushed}` })).reference;
    },
    missingImage: (tag) => `${registry.host}/${repo}:${tag}-missing`,
    async startController() {
      controller = await startControllerWith(
        {
          kubeConfig: kc,
          namespace,
          ...(options.defaultResolver ? {} : { resolver }),
          logger,
          metricsAddress: options.metrics ? '127.0.0.1:0' : '',
          healthAddress: '',
        },
        {
          reconciler: ({ resyncIntervalMs: _, ...deps }) =>
            createPoolReconciler({
              ...deps,
              options: {
                resyncIntervalMs: 5000,
                pendingEventAfterMs: 1000,
                scaleDownProtectionMs: 2000,
                ...(options.reconciler ?? {}),
              },
            }),
        },
      );
      await controller.ready;
      return controller;
    },
    async stopController() {
      await controller?.stop();
      controller = undefined;
    },
    async createPool(name, spec) {
      return kube.request<SandboxPool>({
        method: 'POST',
        path: poolsPath(namespace),
        body: {
          apiVersion: 'agents.navix.sh/v1alpha1',
          kind: 'SandboxPool',
          metadata: { name },
          spec: { replicas: 0, ...spec },
        },
      });
    },
    async patchPoolSpec(name, spec) {
      return kube.request<SandboxPool>({
        method: 'PATCH',
        path: poolsPath(namespace, name),
        body: { spec },
      });
    },
    async getPool(name) {
      try {
        return await kube.request<SandboxPool>({ path: poolsPath(namespace, name) });
      } catch (err) {
        if ((err as { status?: number }).status === 404) return undefined;
        throw err;
      }
    },
    async pods(pool) {
      const list = await kube.request<{ items: Pod[] }>({
        path: podsPath(namespace),
        query: { labelSelector: `agentbox.navix.sh/sandbox-pool=${pool}` },
      });
      return list.items;
    },
    async readPod(name) {
      try {
        return await kube.request<Pod>({ path: podsPath(namespace, name) });
      } catch (err) {
        if ((err as { status?: number }).status === 404) return undefined;
        throw err;
      }
    },
    async events(objectName) {
      const list = await kube.request<{ items: KubeEvent[] }>({ path: eventsPath(namespace) });
      return list.items.filter((e) => objectName === undefined || e.involvedObject?.name === objectName);
    },
    async until(what, check, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        try {
          const value = await check();
          if (value !== undefined && value !== false) return value as never;
        } catch (err) {
          last = err;
        }
        if (Date.now() > end)
          throw new Error(`${what}: not reached in ${timeoutMs} ms${last ? ` (${String(last)})` : ''}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      await controller?.stop();
      await client.close();
      await node.stop();
      await resolver.close?.();
      await kube.close();
    },
  };
  return fx;
}

/** The phase label of a pod. */
export const phaseOf = (pod: Pod | undefined) => pod?.metadata?.labels?.['agentbox.navix.sh/sandbox-phase'];

/** True when the pod's PodReady condition is True. */
export function isReady(pod: Pod): boolean {
  const conditions = (pod.status as { conditions?: { type?: string; status?: string }[] } | undefined)
    ?.conditions;
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function captureLogger(logs: LogEntry[], bindings: Record<string, unknown>): Logger {
  const write = (level: string) => (obj: object, msg?: string) => {
    logs.push({ level, ...bindings, ...obj, ...(msg === undefined ? {} : { msg }) });
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (more) => captureLogger(logs, { ...bindings, ...more }),
  };
}
