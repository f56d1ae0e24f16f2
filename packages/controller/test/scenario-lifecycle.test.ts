import { SandboxStartedAtAnnotationKey } from '@agentbox/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReady, phaseOf, type ScenarioFixture, startScenarioFixture } from './scenario-fixture.js';

describe('controller scenarios: pool, claim, release', () => {
  let fx: ScenarioFixture;
  beforeAll(async () => {
    fx = await startScenarioFixture('scn-life');
    await fx.startController();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('pool of 3 → 3 idle pods from the template with the idle image, status idle 3, phase Ready', async () => {
    const idle = await fx.image('idle');
    const app = await fx.image('app');
    await fx.createPool('web', {
      replicas: 3,
      idleImage: idle,
      template: {
        spec: { containers: [{ name: 'main', image: app }], terminationGracePeriodSeconds: 0 } as never,
      },
    });
    const pool = await fx.until('pool Ready with 3 ready idle pods', async () => {
      const p = await fx.getPool('web');
      return (
        p?.status?.phase === 'Ready' &&
        p.status.idleReplicas === 3 &&
        p.status.unavailableIdleReplicas === 0 &&
        p
      );
    });
    expect(pool.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
    expect(pool.metadata?.finalizers).toContain('agentbox.navix.sh/finalizer');
    const pods = await fx.pods('web');
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(phaseOf(pod)).toBe('idle');
      expect(pod.spec?.containers?.[0]?.image).toBe(idle);
      expect(pod.metadata?.finalizers).toContain('agentbox.navix.sh/sandbox-protection');
      expect(pod.metadata?.labels?.['agentbox.navix.sh/template-hash']).toMatch(
        /^[0-9a-f]{10}-[0-9a-f]{10}$/,
      );
      expect(isReady(pod)).toBe(true);
    }
  });

  it('claim → starting → running (started-at set); release → stopping → idle, identity cleaned, claimable again', async () => {
    const app = await fx.image('work');
    const sandbox = await fx.client.claim({ namespace: fx.namespace, pool: 'web', image: app });
    const running = await fx.client.wait(sandbox, { phase: 'running', timeoutMs: 60_000 });
    expect(running.startedAt).toBeTruthy();
    const pod = await fx.readPod(sandbox.pod);
    expect(phaseOf(pod)).toBe('running');
    expect(pod?.metadata?.annotations?.[SandboxStartedAtAnnotationKey]).toBeTruthy();
    expect(pod?.spec?.containers?.[0]?.image).toBe(app);
    await fx.until('SandboxRunning Event', async () =>
      (await fx.events(sandbox.pod)).some((e) => e.reason === 'SandboxRunning'),
    );

    await fx.client.release(sandbox);
    const idle = await fx.until('pod back to idle', async () => {
      const p = await fx.readPod(sandbox.pod);
      return phaseOf(p) === 'idle' && p;
    });
    expect(idle.metadata?.labels?.['agentbox.navix.sh/sandbox-id']).toBeUndefined();
    expect(idle.metadata?.annotations?.['agentbox.navix.sh/sandbox-id']).toBeUndefined();
    expect(idle.metadata?.annotations?.['agentbox.navix.sh/stop-reason']).toBeUndefined();
    await fx.until('stopping_to_idle log line', async () =>
      fx.logs.some((l) => l['transition'] === 'stopping_to_idle' && l['pod'] === sandbox.pod),
    );
    const line = fx.logs.find((l) => l['transition'] === 'starting_to_running' && l['pod'] === sandbox.pod);
    expect(line).toMatchObject({ namespace: fx.namespace, pool: 'web', sandboxId: sandbox.id });
    expect(typeof line?.['durationMs']).toBe('number');

    const again = await fx.client.claim({ namespace: fx.namespace, pool: 'web', image: app });
    await fx.client.wait(again, { phase: 'running', timeoutMs: 60_000 });
    await fx.client.release(again);
    await fx.client.wait(again, { phase: 'released', timeoutMs: 60_000 });
  });
});
