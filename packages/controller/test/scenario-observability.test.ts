import { pushImage, registryFromProvided } from '@agentbox/testenv';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { secretsPath } from '../src/kube/kube-paths.js';
import type { RunningController } from '../src/start-controller.js';
import { phaseOf, type ScenarioFixture, startScenarioFixture } from './scenario-fixture.js';

// Metrics of a claim → running → release, and a pool whose images need credentials (a pull secret read by
// the controller's default resolver): the password never shows in logs, Events or metrics.
describe('controller scenarios: metrics and credentials', () => {
  const basic = inject('registries').basic;
  let fx: ScenarioFixture;
  let controller: RunningController;
  beforeAll(async () => {
    fx = await startScenarioFixture('scn-obs', {
      defaultResolver: true,
      metrics: true,
      node: { registryCredentials: { [basic.host]: { username: basic.username, password: basic.password } } },
    });
    controller = await fx.startController();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('claims and releases on a private registry through a pull secret; metrics count them; no credential anywhere', async () => {
    const registry = registryFromProvided(basic);
    const repo = `scn-obs/${fx.namespace}`;
    const [idle, app, work] = await Promise.all(
      ['idle', 'app', 'work'].map(
        async (tag) => (await pushImage(registry, { repository: repo, tag })).reference,
      ),
    );
    const auth = Buffer.from(`${basic.username}:${basic.password}`).toString('base64');
    const dockerConfig = {
      auths: { [basic.host]: { username: basic.username, password: basic.password, auth } },
    };
    await fx.kube.request({
      method: 'POST',
      path: secretsPath(fx.namespace),
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'pull' },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': Buffer.from(JSON.stringify(dockerConfig)).toString('base64') },
      },
    });
    await fx.createPool('private', {
      replicas: 2,
      idleImage: idle!,
      template: {
        spec: {
          containers: [{ name: 'main', image: app! }],
          imagePullSecrets: [{ name: 'pull' }],
          terminationGracePeriodSeconds: 0,
        } as never,
      },
    });
    await fx.until('2 ready idle pods', async () => {
      const p = await fx.getPool('private');
      return p?.status?.idleReplicas === 2 && p.status.unavailableIdleReplicas === 0;
    });
    const sandbox = await fx.client.claim({ namespace: fx.namespace, pool: 'private', image: work! });
    await fx.client.wait(sandbox, { phase: 'running', timeoutMs: 60_000 });
    await fx.client.release(sandbox);
    await fx.until('back to idle', async () => phaseOf(await fx.readPod(sandbox.pod)) === 'idle');
    // A timeout release, for the releases counter.
    const timed = await fx.client.claim({
      namespace: fx.namespace,
      pool: 'private',
      image: work!,
      idleTimeoutSeconds: 1,
    });
    await fx.until('idle-timeout release back to idle', async () => {
      const events = await fx.events(timed.pod);
      return (
        events.some((e) => e.reason === 'IdleTimeout') && phaseOf(await fx.readPod(timed.pod)) === 'idle'
      );
    });

    const labels = `namespace="${fx.namespace}",pool="private"`;
    const text = await fx.until('metrics show the transitions', async () => {
      const body = await (await fetch(controller.metricsUrl!)).text();
      // The pool gauges follow in the pool's reconcile, which pod events enqueue 100 ms after them.
      return (
        body.includes(`agentbox_releases_total{${labels},reason="IdleTimeout"} 1`) &&
        body.includes(`agentbox_pool_sandboxes{${labels},phase="idle"} 2`) &&
        body
      );
    });
    expect(text).toMatch(
      new RegExp(
        `agentbox_transition_duration_seconds_count\\{${labels},transition="starting_to_running"\\} [1-9]`,
      ),
    );
    expect(text).toMatch(
      new RegExp(
        `agentbox_transition_duration_seconds_count\\{${labels},transition="stopping_to_idle"\\} [1-9]`,
      ),
    );
    expect(text).toMatch(/agentbox_reaction_seconds_count [1-9]/);
    expect(text).toMatch(new RegExp(`agentbox_pool_sandboxes\\{${labels},phase="idle"\\} 2`));
    expect(text).toContain(`agentbox_pool_replicas_desired{${labels}} 2`);

    const events = JSON.stringify(await fx.events());
    for (const secret of [basic.password, auth]) {
      expect(JSON.stringify(fx.logs)).not.toContain(secret);
      expect(events).not.toContain(secret);
      expect(text).not.toContain(secret);
    }
  });
});
