import { createDockerRegistryClientResolver } from '@agentbox/resolver-registry/docker-registry-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseOf, type ScenarioFixture, startScenarioFixture } from './scenario-fixture.js';

// Swapping resolvers is one of the ways agentbox is used: the claim → running → release path once more with
// the docker-registry-client backend doing the controller's completions.
describe('controller scenarios with the docker-registry-client resolver', () => {
  let fx: ScenarioFixture;
  beforeAll(async () => {
    fx = await startScenarioFixture('scn-drc', { resolver: createDockerRegistryClientResolver({}) });
    await fx.startController();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('pool → idle; claim → running; release → idle, identity cleaned; claimable again', async () => {
    const idle = await fx.image('idle');
    const app = await fx.image('app');
    await fx.createPool('web', {
      replicas: 2,
      idleImage: idle,
      template: {
        spec: { containers: [{ name: 'main', image: app }], terminationGracePeriodSeconds: 0 } as never,
      },
    });
    await fx.until('Ready with 2 ready idle pods', async () => {
      const p = await fx.getPool('web');
      return (
        p?.status?.phase === 'Ready' && p.status.idleReplicas === 2 && p.status.unavailableIdleReplicas === 0
      );
    });
    for (let round = 0; round < 2; round++) {
      const sandbox = await fx.client.claim({
        namespace: fx.namespace,
        pool: 'web',
        image: await fx.image('work'),
      });
      const running = await fx.client.wait(sandbox, { phase: 'running', timeoutMs: 60_000 });
      expect(running.startedAt).toBeTruthy();
      await fx.client.release(sandbox);
      await fx.client.wait(sandbox, { phase: 'released', timeoutMs: 60_000 });
      const pod = await fx.readPod(sandbox.pod);
      expect(phaseOf(pod)).toBe('idle');
      expect(pod?.metadata?.labels?.['agentbox.navix.sh/sandbox-id']).toBeUndefined();
      expect(pod?.spec?.containers?.[0]?.image).toBe(idle);
    }
  });
});
