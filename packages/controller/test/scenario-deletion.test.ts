import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseOf, type ScenarioFixture, startScenarioFixture } from './scenario-fixture.js';

describe('controller scenarios: pool deletion', () => {
  let fx: ScenarioFixture;
  beforeAll(async () => {
    fx = await startScenarioFixture('scn-delete');
    await fx.startController();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('pool deleted with pods in every phase → all pods gone, finalizers removed, pool gone', async () => {
    const idle = await fx.image('idle');
    const app = await fx.image('app');
    await fx.createPool('doomed', {
      replicas: 5,
      idleImage: idle,
      template: {
        spec: { containers: [{ name: 'main', image: app }], terminationGracePeriodSeconds: 0 } as never,
      },
    });
    await fx.until('5 ready idle pods', async () => {
      const p = await fx.getPool('doomed');
      return p?.status?.idleReplicas === 5 && p.status.unavailableIdleReplicas === 0;
    });
    const running = await fx.client.claim({
      namespace: fx.namespace,
      pool: 'doomed',
      image: await fx.image('work'),
    });
    await fx.client.wait(running, { phase: 'running', timeoutMs: 60_000 });
    const stopping = await fx.client.claim({
      namespace: fx.namespace,
      pool: 'doomed',
      image: await fx.image('work'),
    });
    await fx.client.wait(stopping, { phase: 'running', timeoutMs: 60_000 });
    const starting = await fx.client.claim({
      namespace: fx.namespace,
      pool: 'doomed',
      image: fx.missingImage('never'),
      startupTimeoutSeconds: 600,
    });
    // A release whose idle image cannot be pulled stays in stopping.
    await fx.patchPoolSpec('doomed', { idleImage: fx.missingImage('idle') });
    await fx.client.release(stopping);
    const pods = await fx.pods('doomed');
    const failed = pods.find(
      (p) => phaseOf(p) === 'idle' && ![running.pod, stopping.pod, starting.pod].includes(p.metadata!.name!),
    );
    await fx.node.evict(fx.namespace, failed!.metadata!.name!);
    const phases = new Set(
      (await fx.pods('doomed')).map((p) => (p.status?.phase === 'Failed' ? 'failed' : phaseOf(p))),
    );
    expect([...phases].sort()).toEqual(expect.arrayContaining(['running', 'starting', 'stopping']));

    await fx.kube.request({
      method: 'DELETE',
      path: `/apis/agents.navix.sh/v1alpha1/namespaces/${fx.namespace}/sandboxpools/doomed`,
    });
    await fx.until('every pod gone', async () => (await fx.pods('doomed')).length === 0, 90_000);
    await fx.until('pool gone', async () => (await fx.getPool('doomed')) === undefined, 30_000);
  });
});
