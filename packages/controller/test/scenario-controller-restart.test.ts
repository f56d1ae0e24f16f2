import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseOf, type ScenarioFixture, startScenarioFixture } from './scenario-fixture.js';

describe('controller scenarios: controller stopped mid-transition', () => {
  let fx: ScenarioFixture;
  beforeAll(async () => {
    fx = await startScenarioFixture('scn-crash');
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('controller stopped mid-transition and restarted → the pod completes its transition (the state is in the annotation)', async () => {
    await fx.startController();
    const idle = await fx.image('idle');
    const app = await fx.image('app');
    await fx.createPool('web', {
      replicas: 2,
      idleImage: idle,
      template: {
        spec: { containers: [{ name: 'main', image: app }], terminationGracePeriodSeconds: 0 } as never,
      },
    });
    await fx.until('2 ready idle pods', async () => {
      const p = await fx.getPool('web');
      return p?.status?.idleReplicas === 2 && p.status.unavailableIdleReplicas === 0;
    });
    await fx.stopController();

    // Claimed and released while no controller runs: kubelet rolls the images, nobody completes.
    const work = await fx.image('work');
    const starting = await fx.client.claim({ namespace: fx.namespace, pool: 'web', image: work });
    const other = await fx.client.claim({ namespace: fx.namespace, pool: 'web', image: work });
    await fx.until('kubelet runs the workload image', async () => {
      const p = await fx.readPod(starting.pod);
      const s = p?.status?.containerStatuses?.find((c) => c.name === 'main');
      return s?.ready === true && s.imageID?.includes('@sha256:');
    });
    expect(phaseOf(await fx.readPod(starting.pod))).toBe('starting');

    await fx.startController();
    await fx.client.wait(starting, { phase: 'running', timeoutMs: 60_000 });
    await fx.client.wait(other, { phase: 'running', timeoutMs: 60_000 });

    // The same for a release: stopped in stopping, completed by the next controller.
    await fx.stopController();
    await fx.client.release(starting);
    expect(phaseOf(await fx.readPod(starting.pod))).toBe('stopping');
    await fx.startController();
    await fx.client.wait(starting, { phase: 'released', timeoutMs: 60_000 });
    expect(phaseOf(await fx.readPod(starting.pod))).toBe('idle');
  });
});
