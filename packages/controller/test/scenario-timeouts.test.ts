import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseOf, type ScenarioFixture, startScenarioFixture } from './scenario-fixture.js';

describe('controller scenarios: startup and idle timeouts', () => {
  let fx: ScenarioFixture;
  beforeAll(async () => {
    fx = await startScenarioFixture('scn-timeout', { reconciler: { stoppingTimeoutMs: 8000 } });
    await fx.startController();
    const idle = await fx.image('idle');
    const app = await fx.image('app');
    await fx.createPool('web', {
      replicas: 2,
      idleImage: idle,
      defaultStartupTimeout: '3s',
      template: {
        spec: { containers: [{ name: 'main', image: app }], terminationGracePeriodSeconds: 0 } as never,
      },
    });
    await fx.until('2 ready idle pods', async () => {
      const p = await fx.getPool('web');
      return p?.status?.idleReplicas === 2 && p.status.unavailableIdleReplicas === 0;
    });
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('an image that cannot be pulled stays starting with the waiting reason reported, then is released (StartupTimeout) back to idle', async () => {
    const sandbox = await fx.client.claim({
      namespace: fx.namespace,
      pool: 'web',
      image: fx.missingImage('app'),
    });
    // Reported while it lasts: a Pending Warning Event with kubelet's waiting reason, and explain.
    const pending = await fx.until('Pending Event naming the pull failure', async () =>
      (await fx.events(sandbox.pod)).find(
        (e) => e.reason === 'Pending' && /ErrImagePull|ImagePullBackOff/.test(e.message ?? ''),
      ),
    );
    expect(pending.type).toBe('Warning');
    // After the startup timeout: released with reason StartupTimeout and the first explained reason.
    const timeout = await fx.until('StartupTimeout Event', async () =>
      (await fx.events(sandbox.pod)).find((e) => e.reason === 'StartupTimeout'),
    );
    expect(timeout.type).toBe('Warning');
    expect(timeout.message).toMatch(/ErrImagePull|ImagePullBackOff/);
    const line = await fx.until('startup_timeout log line', async () =>
      fx.logs.find((l) => l['transition'] === 'startup_timeout' && l['pod'] === sandbox.pod),
    );
    expect(line).toMatchObject({ namespace: fx.namespace, pool: 'web', sandboxId: sandbox.id });
    const idle = await fx.until('back to idle', async () => {
      const p = await fx.readPod(sandbox.pod);
      return phaseOf(p) === 'idle' && p;
    });
    expect(idle.metadata?.labels?.['agentbox.navix.sh/sandbox-id']).toBeUndefined();
    expect(idle.metadata?.annotations?.['agentbox.navix.sh/failure-reason']).toBeUndefined();
  });

  it('a running sandbox untouched past its idle timeout is released (IdleTimeout) → idle; a touch inside the window keeps it running', async () => {
    const app = await fx.image('work');
    const untouched = await fx.client.claim({
      namespace: fx.namespace,
      pool: 'web',
      image: app,
      idleTimeoutSeconds: 2,
    });
    const touched = await fx.client.claim({
      namespace: fx.namespace,
      pool: 'web',
      image: app,
      idleTimeoutSeconds: 3,
    });
    await fx.client.wait(untouched, { phase: 'running', timeoutMs: 60_000 });
    await fx.client.wait(touched, { phase: 'running', timeoutMs: 60_000 });

    let touching = true;
    const toucher = (async () => {
      while (touching) {
        await fx.client.touch(touched);
        await new Promise((r) => setTimeout(r, 700));
      }
    })();
    try {
      await fx.until('IdleTimeout Event on the untouched sandbox', async () =>
        (await fx.events(untouched.pod)).some((e) => e.reason === 'IdleTimeout'),
      );
      await fx.until(
        'untouched sandbox back to idle',
        async () => phaseOf(await fx.readPod(untouched.pod)) === 'idle',
      );
      // The untouched one timed out after 2 s; the touched one (3 s) has outlived it by then and is still running.
      expect(phaseOf(await fx.readPod(touched.pod))).toBe('running');
      expect((await fx.events(touched.pod)).some((e) => e.reason === 'IdleTimeout')).toBe(false);
    } finally {
      touching = false;
      await toucher;
    }
    // Once the touches stop, it times out too.
    await fx.until(
      'touched sandbox released after the touches stop',
      async () => phaseOf(await fx.readPod(touched.pod)) === 'idle',
    );
  });

  it('a release stuck in stopping is explained (Pending), names the Degraded condition past the startup timeout, and is replaced past the stopping bound', async () => {
    const idle = await fx.image('idle');
    const app = await fx.image('app');
    await fx.createPool('stuck', {
      replicas: 1,
      idleImage: idle,
      defaultStartupTimeout: '2s',
      template: {
        spec: { containers: [{ name: 'main', image: app }], terminationGracePeriodSeconds: 0 } as never,
      },
    });
    await fx.until('1 ready idle pod', async () => {
      const p = await fx.getPool('stuck');
      return p?.status?.idleReplicas === 1 && p.status.unavailableIdleReplicas === 0;
    });
    const sandbox = await fx.client.claim({
      namespace: fx.namespace,
      pool: 'stuck',
      image: await fx.image('work'),
    });
    await fx.client.wait(sandbox, { phase: 'running', timeoutMs: 60_000 });
    await fx.patchPoolSpec('stuck', { idleImage: fx.missingImage('idle') });
    await fx.client.release(sandbox);
    // The Event follows the explanation: on a loaded machine the first one may still say the old container is
    // not replaced yet (ContainerIDUnchanged) before kubelet reports the failed pull; it is then updated.
    const pending = await fx.until('Pending Event naming the failed pull', async () =>
      (await fx.events(sandbox.pod)).find(
        (e) => e.reason === 'Pending' && /ErrImagePull|ImagePullBackOff/.test(e.message ?? ''),
      ),
    );
    expect(pending.type).toBe('Warning');
    const degraded = await fx.until('Degraded names the stuck update', async () => {
      const c = (await fx.getPool('stuck'))?.status?.conditions?.find((x) => x.type === 'Degraded');
      return c?.status === 'True' && c.reason === 'UpdatePending' && c;
    });
    expect(degraded.message).toContain(sandbox.pod);
    expect(degraded.message).toMatch(/stopping for \d+s: (ErrImagePull|ImagePullBackOff)/);
    expect((await fx.events('stuck')).some((e) => e.reason === 'Degraded' && e.type === 'Warning')).toBe(
      true,
    );

    // Past the stopping bound (8 s here) the pod is deleted and replaced from the (fixed) pool.
    await fx.patchPoolSpec('stuck', { idleImage: idle });
    await fx.until('stuck pod deleted', async () => (await fx.readPod(sandbox.pod)) === undefined, 60_000);
    await fx.until('replaced and recovered', async () => {
      const p = await fx.getPool('stuck');
      return (
        p?.status?.idleReplicas === 1 &&
        p.status.unavailableIdleReplicas === 0 &&
        p.status.conditions?.find((c) => c.type === 'Degraded')?.status === 'False'
      );
    });
    expect((await fx.events('stuck')).some((e) => e.reason === 'PoolRecovered')).toBe(true);
  });
});
