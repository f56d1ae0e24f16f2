import { SandboxIDLabelKey, SandboxPoolLabelKey } from '@agentbox/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/observability/logger.js';
import { createSandboxClient } from '../src/sandbox/create-sandbox-client.js';
import type { SandboxClient } from '../src/sandbox/sandbox-client.js';
import { type RunningController, startController } from '../src/start-controller.js';
import { isReady, type SandboxFixture, startSandboxFixture } from './sandbox-fixture.js';

// The sandbox client with the real controller (startController) completing the transitions.
describe('SandboxClient with the real controller', () => {
  let fx: SandboxFixture;
  let client: SandboxClient;
  let controller: RunningController;

  beforeAll(async () => {
    fx = await startSandboxFixture('sandbox-ctrl');
    controller = await startController({
      kubeConfig: fx.kc,
      namespace: fx.namespace,
      resolver: fx.resolver,
      logger: silentLogger,
      metricsAddress: '',
      healthAddress: '',
    });
    await controller.ready;
    client = createSandboxClient({ kubeConfig: fx.kc });
  });
  afterAll(async () => {
    await client?.close();
    await controller?.stop();
    await fx?.close();
  });

  const idlePods = (pool: string, count: number) =>
    fx.waitForPods(
      `${SandboxPoolLabelKey}=${pool}`,
      (pods) =>
        pods.filter((p) => p.metadata?.labels?.['agentbox.navix.sh/sandbox-phase'] === 'idle' && isReady(p))
          .length >= count,
      180_000,
    );

  it('claim → running → release → idle → claimable again', async () => {
    await fx.createPool('cycle', { replicas: 1 });
    await idlePods('cycle', 1);
    const sandbox = await client.claim({ namespace: fx.namespace, pool: 'cycle', image: fx.images.app });
    const running = await client.wait(
      { namespace: fx.namespace, sandboxId: sandbox.id },
      { phase: 'running', timeoutMs: 60_000 },
    );
    expect(running).toMatchObject({ id: sandbox.id, phase: 'running', images: { main: fx.images.app } });
    expect(running.startedAt).toBeTruthy();

    const released = await client.release({ namespace: fx.namespace, sandboxId: sandbox.id });
    expect(released).toMatchObject({ phase: 'stopping', stopReason: 'Completed' });
    const idle = await client.wait(
      { namespace: fx.namespace, sandboxId: sandbox.id },
      { phase: 'released', timeoutMs: 60_000 },
    );
    expect(idle).toMatchObject({ phase: 'idle', id: '', pod: sandbox.pod, images: { main: fx.images.idle } });

    const again = await client.claim({ namespace: fx.namespace, pool: 'cycle', image: fx.images.app2 });
    expect(again.pod).toBe(sandbox.pod);
    expect(again.id).not.toBe(sandbox.id);
  });

  it('a claim waiting for an idle pod wins the pod a release frees', async () => {
    await fx.createPool('wait', { replicas: 1 });
    await idlePods('wait', 1);
    const first = await client.claim({ namespace: fx.namespace, pool: 'wait', image: fx.images.app });
    await client.wait(
      { namespace: fx.namespace, sandboxId: first.id },
      { phase: 'running', timeoutMs: 60_000 },
    );
    const second = client.claim({
      namespace: fx.namespace,
      pool: 'wait',
      image: fx.images.app2,
      waitForIdleMs: 60_000,
    });
    await client.release({ namespace: fx.namespace, sandboxId: first.id });
    const won = await second;
    expect(won.pod).toBe(first.pod);
    const running = await client.wait(
      { namespace: fx.namespace, sandboxId: won.id },
      { phase: 'running', timeoutMs: 60_000 },
    );
    expect(running.images).toEqual({ main: fx.images.app2 });
  });

  it('200 concurrent claims on 200 idle pods: 200 distinct pods, all running', {
    timeout: 400_000,
  }, async () => {
    const n = 200;
    await fx.createPool('many', { replicas: n });
    await idlePods('many', n);
    const began = performance.now();
    const runningAfter: number[] = [];
    const sandboxes = await Promise.all(
      Array.from({ length: n }, async () => {
        const claimed = await client.claim({ namespace: fx.namespace, pool: 'many', image: fx.images.app });
        const running = await client.wait(
          { namespace: fx.namespace, sandboxId: claimed.id },
          { phase: 'running', timeoutMs: 240_000 },
        );
        runningAfter.push(performance.now() - began);
        return running;
      }),
    );
    expect(new Set(sandboxes.map((s) => s.pod)).size).toBe(n);
    expect(sandboxes.every((s) => s.phase === 'running')).toBe(true);
    const pods = await fx.waitForPods(
      `${SandboxPoolLabelKey}=many,${SandboxIDLabelKey}`,
      (p) => p.length === n,
    );
    expect(new Set(pods.map((p) => p.metadata?.labels?.[SandboxIDLabelKey])).size).toBe(n);
    runningAfter.sort((a, b) => a - b);
    console.log(
      `200 claims → running with the controller: p50 ${Math.round(runningAfter[n / 2]!)} ms, all ${Math.round(runningAfter[n - 1]!)} ms`,
    );
  });
});
