import { type Pod, SandboxIDLabelKey, SandboxPoolLabelKey } from '@agentbox/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podsPath } from '../src/kube/kube-paths.js';
import type { Logger } from '../src/observability/logger.js';
import { createSandboxClient } from '../src/sandbox/create-sandbox-client.js';
import type { SandboxClient } from '../src/sandbox/sandbox-client.js';
import { type SandboxFixture, startSandboxFixture } from './sandbox-fixture.js';

const CLAIMERS = 200;
const LOST = 'claim lost a race, next candidate';

describe('200 concurrent claimers on 200 idle pods', () => {
  let fx: SandboxFixture;
  let client: SandboxClient;
  const messages = new Map<string, number>();
  const counting: Logger = {
    debug: (_obj, msg) => messages.set(msg ?? '', (messages.get(msg ?? '') ?? 0) + 1),
    info() {},
    warn() {},
    error() {},
    child: () => counting,
  };

  beforeAll(async () => {
    fx = await startSandboxFixture('sandbox-race');
    client = createSandboxClient({ kubeConfig: fx.kc, resolver: fx.resolver, logger: counting });
  });
  afterAll(async () => {
    await client?.close();
    await fx?.close();
  });

  async function claimAll(pool: string, clients: SandboxClient[]) {
    const list = await fx.kube.request<{ metadata: { resourceVersion: string } }>({
      path: podsPath(fx.namespace),
      query: { labelSelector: `${SandboxPoolLabelKey}=${pool}` },
    });
    // Every write to a pool pod, as the API server stored it: a claim's PUT shows up as the sandbox-id label
    // appearing on a pod (later writes by kubelet keep it).
    const claimsPerPod = new Map<string, string[]>();
    const watching = new AbortController();
    const watch = fx.kube.watch({
      path: podsPath(fx.namespace),
      query: {
        labelSelector: `${SandboxPoolLabelKey}=${pool}`,
        resourceVersion: list.metadata.resourceVersion,
      },
      signal: watching.signal,
      onEvent: (event) => {
        if (event.type !== 'MODIFIED') return;
        const pod = event.object as Pod;
        const id = pod.metadata?.labels?.[SandboxIDLabelKey];
        const seen = claimsPerPod.get(pod.metadata?.name ?? '') ?? [];
        if (id !== undefined && seen.at(-1) !== id) seen.push(id);
        claimsPerPod.set(pod.metadata?.name ?? '', seen);
      },
    });

    const lostBefore = messages.get(LOST) ?? 0;
    const began = performance.now();
    const sandboxes = await Promise.all(
      Array.from({ length: CLAIMERS }, (_, i) =>
        clients[i % clients.length]!.claim({
          namespace: fx.namespace,
          pool,
          image: fx.images.app,
          sandboxId: `${pool}-${i}`,
        }),
      ),
    );
    const elapsedMs = performance.now() - began;

    expect(new Set(sandboxes.map((s) => s.pod)).size).toBe(CLAIMERS);
    expect(new Set(sandboxes.map((s) => s.id)).size).toBe(CLAIMERS);

    // The cluster agrees: each pod carries the id of the claimer that was told it won it.
    const pods = await fx.waitForPods(
      `${SandboxPoolLabelKey}=${pool},${SandboxIDLabelKey}`,
      (p) => p.length === CLAIMERS,
    );
    const stored = new Map(pods.map((p) => [p.metadata!.name!, p.metadata!.labels![SandboxIDLabelKey]]));
    for (const s of sandboxes) expect(stored.get(s.pod)).toBe(s.id);

    // Once the watch has seen all 200 claims: no pod was claimed twice, 200 claim writes in all.
    const claimed = () => [...claimsPerPod.values()].filter((ids) => ids.length > 0).length;
    const deadline = Date.now() + 30_000;
    while (claimed() < CLAIMERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    watching.abort();
    await watch;
    expect(claimed()).toBe(CLAIMERS);
    for (const [, ids] of claimsPerPod) expect(ids.length).toBe(1);
    const writes = [...claimsPerPod.values()].reduce((n, ids) => n + ids.length, 0);
    expect(writes).toBe(CLAIMERS);
    console.log(
      `${CLAIMERS} concurrent claims through ${clients.length} client(s): ${Math.round(elapsedMs)} ms, ` +
        `${writes} claim writes, ${(messages.get(LOST) ?? 0) - lostBefore} lost races moved to another pod`,
    );
  }

  it('through one client: every claimer wins a distinct pod, each pod claimed once', {
    timeout: 300_000,
  }, async () => {
    await fx.createPool('one', { replicas: CLAIMERS });
    await fx.createIdlePods('one', CLAIMERS);
    await claimAll('one', [client]);
  });

  it('through 20 clients racing each other: still distinct pods, each claimed once', {
    timeout: 300_000,
  }, async () => {
    await fx.createPool('many', { replicas: CLAIMERS });
    await fx.createIdlePods('many', CLAIMERS);
    const clients = Array.from({ length: 20 }, () =>
      createSandboxClient({ kubeConfig: fx.kc, resolver: fx.resolver, logger: counting }),
    );
    try {
      await claimAll('many', clients);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
