// The controller's lifecycle on the real node (kubelet v1.35.4 + containerd from @agentbox/testenv):
// real containers, real pulls from the run's registry, real OOM kills. The pool's template names the
// node (there is no scheduler); the fixture's kubelet simulator only handles unscheduled pods, so it
// leaves these alone. Nothing is asserted on time.
import { pushRunnableImage, type RealNode, registryFromProvided, startRealNode } from '@agentbox/testenv';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { phaseOf, type ScenarioFixture, startScenarioFixture } from './scenario-fixture.js';

vi.setConfig({ testTimeout: 180_000 });

describe('controller scenarios on the real node', () => {
  let fx: ScenarioFixture;
  let node: RealNode;
  const registry = registryFromProvided(inject('registries').none);
  const image = async (app: 'graceful' | 'oom' = 'graceful', env: Record<string, string> = {}) =>
    (await pushRunnableImage(registry, { repository: 'real-node/controller', app, env })).reference;

  beforeAll(async () => {
    const cp = inject('controlPlane');
    fx = await startScenarioFixture('rn-ctl');
    if (cp.kubelet === undefined) throw new Error('no kubelet was built (the real node needs Linux)');
    // Waits for the machine-wide real-node lock when another real node runs.
    node = await startRealNode(fx.kc, { kubelet: cp.kubelet, registry });
    await fx.startController();
    await fx.createPool('web', {
      replicas: 3,
      idleImage: await image(),
      defaultStartupTimeout: '8s',
      template: {
        spec: {
          nodeName: node.nodeName,
          terminationGracePeriodSeconds: 2,
          containers: [{ name: 'main', image: await image(), resources: { limits: { memory: '48Mi' } } }],
        } as never,
      },
    });
    await fx.until(
      '3 ready idle pods on the real node',
      async () => {
        const p = await fx.getPool('web');
        return p?.status?.idleReplicas === 3 && p.status.unavailableIdleReplicas === 0;
      },
      120_000,
    );
  }, 900_000);

  afterAll(async () => {
    await fx?.close();
    await node?.stop();
  });

  it('claim → running → release → idle with real containers', async () => {
    const work = await image();
    const sandbox = await fx.client.claim({ namespace: fx.namespace, pool: 'web', image: work });
    await fx.client.wait(sandbox, { phase: 'running', timeoutMs: 120_000 });
    const running = await fx.readPod(sandbox.pod);
    expect(phaseOf(running)).toBe('running');
    const status = running?.status?.containerStatuses?.[0];
    expect(status?.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(status?.imageID).toMatch(
      new RegExp(`^${registry.host}/real-node/controller@sha256:[0-9a-f]{64}$`),
    );
    expect((running?.spec as { nodeName?: string } | undefined)?.nodeName).toBe(node.nodeName);
    await fx.client.release(sandbox);
    await fx.client.wait(sandbox, { phase: 'released', timeoutMs: 120_000 });
    const idle = await fx.until('back to idle', async () => {
      const p = await fx.readPod(sandbox.pod);
      return phaseOf(p) === 'idle' && p;
    });
    expect(idle.metadata?.labels?.['agentbox.navix.sh/sandbox-id']).toBeUndefined();
    expect(idle.status?.containerStatuses?.[0]?.containerID).not.toBe(status?.containerID);
  });

  it('an unpullable image → kubelet ErrImagePull/ImagePullBackOff → StartupTimeout → idle', async () => {
    const sandbox = await fx.client.claim({
      namespace: fx.namespace,
      pool: 'web',
      image: `${registry.host}/real-node/controller:missing-${fx.namespace}`,
    });
    const timeout = await fx.until(
      'StartupTimeout Event',
      async () => (await fx.events(sandbox.pod)).find((e) => e.reason === 'StartupTimeout'),
      120_000,
    );
    expect(timeout.message).toMatch(/ErrImagePull|ImagePullBackOff/);
    await fx.until('back to idle', async () => phaseOf(await fx.readPod(sandbox.pod)) === 'idle', 120_000);
  });

  it('a real OOM kill (48Mi limit) → UnexpectedRestart, released as Failed (OOMKilled) → idle', async () => {
    const hog = await image('oom', { AGENTBOX_OOM_AFTER: '8' });
    const sandbox = await fx.client.claim({ namespace: fx.namespace, pool: 'web', image: hog });
    await fx.client.wait(sandbox, { phase: 'running', timeoutMs: 120_000 });
    const event = await fx.until(
      'UnexpectedRestart Event',
      async () => (await fx.events(sandbox.pod)).find((e) => e.reason === 'UnexpectedRestart'),
      120_000,
    );
    expect(event.message).toContain('OOMKilled');
    const line = await fx.until('unexpected_restart log line', async () =>
      fx.logs.find((l) => l['transition'] === 'unexpected_restart' && l['pod'] === sandbox.pod),
    );
    expect(line).toMatchObject({ reason: 'OOMKilled', exitCode: 137, sandboxId: sandbox.id });
    await fx.until('back to idle', async () => phaseOf(await fx.readPod(sandbox.pod)) === 'idle', 120_000);
  });
});
