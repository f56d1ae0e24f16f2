import type { Pod } from '@agentbox/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReady, phaseOf, type ScenarioFixture, startScenarioFixture } from './scenario-fixture.js';

const hashOf = (p: Pod | undefined) => p?.metadata?.labels?.['agentbox.navix.sh/template-hash'];
const live = (pods: Pod[]) => pods.filter((p) => !p.metadata?.deletionTimestamp);

describe('controller scenarios: scaling and template rolls', () => {
  let fx: ScenarioFixture;
  beforeAll(async () => {
    fx = await startScenarioFixture('scn-scale');
    await fx.startController();
  });
  afterAll(async () => {
    await fx?.close();
  });

  async function readyPool(name: string, replicas: number, extra: Record<string, unknown> = {}) {
    const idle = await fx.image('idle');
    const app = await fx.image('app');
    await fx.createPool(name, {
      replicas,
      idleImage: idle,
      template: {
        spec: { containers: [{ name: 'main', image: app }], terminationGracePeriodSeconds: 0 } as never,
      },
      ...extra,
    });
    await fx.until(`${name}: ${replicas} ready idle pods`, async () => {
      const p = await fx.getPool(name);
      return (
        p?.status?.phase === 'Ready' &&
        p.status.idleReplicas === replicas &&
        p.status.unavailableIdleReplicas === 0
      );
    });
    return { idle, app };
  }

  it('scale 5 → 2 with running pods: the running pods survive, idle ones go first', async () => {
    await readyPool('down', 5);
    const app = await fx.image('work');
    const a = await fx.client.claim({ namespace: fx.namespace, pool: 'down', image: app });
    const b = await fx.client.claim({ namespace: fx.namespace, pool: 'down', image: app });
    await fx.client.wait(a, { phase: 'running', timeoutMs: 60_000 });
    await fx.client.wait(b, { phase: 'running', timeoutMs: 60_000 });
    await fx.patchPoolSpec('down', { replicas: 2 });
    const pods = await fx.until('2 pods left', async () => {
      const list = await fx.pods('down');
      return list.length === 2 && list;
    });
    expect(pods.map((p) => p.metadata?.name).sort()).toEqual([a.pod, b.pod].sort());
    expect(pods.every((p) => phaseOf(p) === 'running')).toBe(true);
    const pool = await fx.until('status: 2 running, 0 idle, Ready', async () => {
      const p = await fx.getPool('down');
      return (
        p?.status?.runningReplicas === 2 && p.status.idleReplicas === 0 && p.status.phase === 'Ready' && p
      );
    });
    expect(pool.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('False');
    expect((await fx.events('down')).some((e) => e.reason === 'ScalingDown')).toBe(true);
  });

  it('template changed → idle pods replaced oldest first, at most maxUnavailable at a time; running untouched', async () => {
    await readyPool('roll', 4, { maxUnavailable: 1 });
    const app = await fx.image('work');
    const claimed = await fx.client.claim({ namespace: fx.namespace, pool: 'roll', image: app });
    await fx.client.wait(claimed, { phase: 'running', timeoutMs: 60_000 });
    const before = await fx.pods('roll');
    const oldHash = hashOf(before[0]);
    const oldIdle = before.filter((p) => phaseOf(p) === 'idle');
    const expectedOrder = [...oldIdle]
      .sort(
        (x, y) =>
          Date.parse(String(x.metadata?.creationTimestamp)) -
            Date.parse(String(y.metadata?.creationTimestamp)) ||
          (x.metadata?.name ?? '').localeCompare(y.metadata?.name ?? ''),
      )
      .map((p) => p.metadata?.name);

    // Watch the pods while the roll runs: the order old pods go in, and how many are away at once.
    const gone: string[] = [];
    let maxAway = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const pods = await fx.pods('roll');
        for (const name of expectedOrder) {
          const p = pods.find((x) => x.metadata?.name === name);
          if ((p === undefined || p.metadata?.deletionTimestamp) && !gone.includes(name!)) gone.push(name!);
        }
        const available = live(pods).filter((p) => phaseOf(p) === 'idle' && isReady(p)).length;
        maxAway = Math.max(maxAway, 3 - available);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const sidecar = await fx.image('sidecar');
    const pool = await fx.getPool('roll');
    await fx.patchPoolSpec('roll', {
      template: {
        spec: {
          containers: [
            ...(pool!.spec!.template!.spec!.containers ?? []),
            { name: 'sidecar', image: sidecar },
          ],
          terminationGracePeriodSeconds: 0,
        } as never,
      },
    });
    try {
      await fx.until(
        'every idle pod on the new template',
        async () => {
          const pods = live(await fx.pods('roll'));
          const idle = pods.filter((p) => phaseOf(p) === 'idle');
          return (
            idle.length === 3 && idle.every((p) => hashOf(p) !== oldHash && isReady(p)) && pods.length === 4
          );
        },
        120_000,
      );
    } finally {
      sampling = false;
      await sampler;
    }
    expect(gone).toEqual(expectedOrder);
    expect(maxAway).toBeLessThanOrEqual(1);
    const running = await fx.readPod(claimed.pod);
    expect(phaseOf(running)).toBe('running');
    expect(hashOf(running)).toBe(oldHash);
    expect(running?.spec?.containers?.map((c) => c.name)).toEqual(['main']);
    // Released, it comes back to idle with the old template and is rolled then.
    await fx.client.release(claimed);
    await fx.until('the released pod rolled too', async () => {
      const pods = live(await fx.pods('roll'));
      return (
        pods.length === 4 && pods.every((p) => hashOf(p) !== oldHash && phaseOf(p) === 'idle' && isReady(p))
      );
    });
  });

  it('only the idle image changed → idle pods switched in place, no pod recreated', async () => {
    await readyPool('swap', 3);
    const before = await fx.pods('swap');
    const uids = before.map((p) => p.metadata?.uid).sort();
    const newIdle = await fx.image('idle-next');
    await fx.patchPoolSpec('swap', { idleImage: newIdle });
    const after = await fx.until('every idle pod on the new idle image', async () => {
      const pods = await fx.pods('swap');
      return (
        pods.length === 3 &&
        pods.every(
          (p) => phaseOf(p) === 'idle' && p.spec?.containers?.[0]?.image === newIdle && isReady(p),
        ) &&
        pods
      );
    });
    expect(after.map((p) => p.metadata?.uid).sort()).toEqual(uids);
    expect(new Set(after.map(hashOf)).size).toBe(1);
    expect(hashOf(after[0])).not.toBe(hashOf(before[0]));
    expect(
      fx.logs.filter((l) => l['transition'] === 'idle_image_switched' && l['pool'] === 'swap'),
    ).toHaveLength(3);
  });

  it('a claim racing a scale-down wins or fails cleanly: no claimed pod is ever deleted', async () => {
    await readyPool('race', 6);
    const app = await fx.image('work');
    const claims = Array.from({ length: 4 }, () =>
      fx.client.claim({ namespace: fx.namespace, pool: 'race', image: app }).then(
        (s) => s,
        (err: unknown) => err as Error,
      ),
    );
    await fx.patchPoolSpec('race', { replicas: 2 });
    const results = await Promise.all(claims);
    const won = results.filter((r): r is Exclude<typeof r, Error> => !(r instanceof Error));
    for (const r of results)
      if (r instanceof Error) expect((r as { code?: string }).code).toBe('NoIdlePodsAvailable');
    expect(won.length).toBeGreaterThan(0);
    for (const sandbox of won) await fx.client.wait(sandbox, { phase: 'running', timeoutMs: 60_000 });
    const pods = await fx.until('settled at max(replicas, claimed) pods', async () => {
      const list = live(await fx.pods('race'));
      return (
        list.length === Math.max(2, won.length) &&
        list.filter((p) => phaseOf(p) === 'running').length === won.length &&
        list
      );
    });
    for (const sandbox of won) expect(pods.map((p) => p.metadata?.name)).toContain(sandbox.pod);
  });
});
