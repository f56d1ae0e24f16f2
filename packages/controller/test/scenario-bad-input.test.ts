import type { Pod } from '@agentbox/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podsPath } from '../src/kube/kube-paths.js';
import { phaseOf, type ScenarioFixture, startScenarioFixture } from './scenario-fixture.js';

describe('controller scenarios: bad input', () => {
  let fx: ScenarioFixture;
  beforeAll(async () => {
    fx = await startScenarioFixture('scn-bad');
    await fx.startController();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('a pod with a malformed state annotation → InvalidState Warning Event, nothing written to it, the controller keeps running', async () => {
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
    const [victim] = await fx.pods('web');
    const name = victim!.metadata!.name!;
    victim!.metadata!.annotations = {
      ...(victim!.metadata!.annotations ?? {}),
      'agentbox.navix.sh/inplace-update-state': '{"phase":"starting",',
    };
    victim!.metadata!.labels!['agentbox.navix.sh/sandbox-phase'] = 'starting';
    const broken = await fx.kube.request<Pod>({
      method: 'PUT',
      path: podsPath(fx.namespace, name),
      body: victim,
    });
    const event = await fx.until('InvalidState Event', async () =>
      (await fx.events(name)).find((e) => e.reason === 'InvalidState'),
    );
    expect(event.type).toBe('Warning');
    // The controller keeps working: the pool is scaled (the broken pod counts as starting) and claims succeed.
    await fx.patchPoolSpec('web', { replicas: 3 });
    await fx.until('3 pods', async () => (await fx.pods('web')).length === 3);
    const sandbox = await fx.client.claim({
      namespace: fx.namespace,
      pool: 'web',
      image: await fx.image('work'),
    });
    await fx.client.wait(sandbox, { phase: 'running', timeoutMs: 60_000 });
    expect(sandbox.pod).not.toBe(name);
    const after = await fx.readPod(name);
    // Only kubelet's status writes may have happened; the controller wrote no metadata or spec.
    expect(after?.metadata?.annotations).toEqual(broken.metadata?.annotations);
    expect(after?.metadata?.labels).toEqual(broken.metadata?.labels);
    expect(after?.metadata?.finalizers).toEqual(broken.metadata?.finalizers);
    expect(after?.spec?.containers).toEqual(broken.spec?.containers);
    expect(phaseOf(after)).toBe('starting');
    // The Event is written once per malformed value, not once per reconcile.
    expect(
      (await fx.events(name)).filter((e) => e.reason === 'InvalidState').every((e) => (e.count ?? 1) === 1),
    ).toBe(true);
  });

  it('a template the API server rejects → FailedCreate Warning, Degraded condition naming it, no pod; fixed → recovers', async () => {
    const idle = await fx.image('idle');
    await fx.createPool('rejected', {
      replicas: 2,
      idleImage: idle,
      template: {
        spec: {
          containers: [{ name: 'Main_Not-A-DNS-Label', image: idle }],
          terminationGracePeriodSeconds: 0,
        } as never,
      },
    });
    const pool = await fx.until('Degraded condition', async () => {
      const p = await fx.getPool('rejected');
      return p?.status?.conditions?.find((c) => c.type === 'Degraded' && c.status === 'True') && p;
    });
    const degraded = pool.status?.conditions?.find((c) => c.type === 'Degraded');
    expect(degraded?.reason).toBe('FailedCreate');
    expect(degraded?.message).toMatch(/rejected/);
    expect(pool.status?.phase).toBe('Pending');
    expect(await fx.pods('rejected')).toHaveLength(0);
    const failedCreate = (await fx.events('rejected')).find((e) => e.reason === 'FailedCreate');
    expect(failedCreate?.type).toBe('Warning');
    await fx.patchPoolSpec('rejected', {
      template: {
        spec: { containers: [{ name: 'main', image: idle }], terminationGracePeriodSeconds: 0 } as never,
      },
    });
    await fx.until('recovered: Ready with 2 idle pods', async () => {
      const p = await fx.getPool('rejected');
      return (
        p?.status?.phase === 'Ready' &&
        p.status.idleReplicas === 2 &&
        p.status.conditions?.find((c) => c.type === 'Degraded')?.status === 'False'
      );
    });
  });

  it('an idle image that cannot be pulled → the pool is Degraded (IdleImageUnavailable) naming kubelet reason, the controller keeps running', async () => {
    const app = await fx.image('app');
    await fx.createPool('unpullable', {
      replicas: 1,
      idleImage: fx.missingImage('idle'),
      template: {
        spec: { containers: [{ name: 'main', image: app }], terminationGracePeriodSeconds: 0 } as never,
      },
    });
    const pool = await fx.until('Degraded IdleImageUnavailable', async () => {
      const p = await fx.getPool('unpullable');
      const c = p?.status?.conditions?.find((x) => x.type === 'Degraded');
      return c?.status === 'True' && c.reason === 'IdleImageUnavailable' && p;
    });
    expect(pool.status?.conditions?.find((c) => c.type === 'Degraded')?.message).toMatch(
      /ErrImagePull|ImagePullBackOff/,
    );
    expect(pool.status?.unavailableIdleReplicas).toBe(1);
    expect((await fx.events('unpullable')).some((e) => e.reason === 'Degraded' && e.type === 'Warning')).toBe(
      true,
    );
  });
});
