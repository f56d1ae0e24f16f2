import { type Pod, SandboxPoolLabelKey } from '@agentbox/core';
import { createTestNamespace, kubeConfigFor } from '@agentbox/testenv';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeApiError } from '../src/kube/kube-api-error.js';
import { createKubeClient, type KubeClient, type KubeRequest } from '../src/kube/kube-client.js';
import { leasesPath, podsPath, poolsPath } from '../src/kube/kube-paths.js';
import { NotLeaderError } from '../src/leader/fence-writes.js';
import { type Lease, microTime } from '../src/leader/lease.js';
import { silentLogger } from '../src/observability/logger.js';
import {
  type ControllerSeams,
  type RunningController,
  startControllerWith,
} from '../src/start-controller.js';

// Short durations keep the suite fast; the semantics are client-go's at any scale.
const LEASE_MS = 4_000;
const RENEW_MS = 2_500;
const RETRY_MS = 500;

/** A KubeClient whose network can be cut: while cut, requests hang until their signal or timeout ends them. */
function partitionable(kube: KubeClient): KubeClient & { cut(on: boolean): void } {
  let cut = false;
  const hang = (req: { signal?: AbortSignal; timeoutMs?: number; path: string }) =>
    new Promise<never>((_, reject) => {
      const fail = () => {
        clearTimeout(t);
        reject(new KubeApiError('partitioned', { status: 0, method: 'GET', path: req.path }));
      };
      const t = setTimeout(fail, req.timeoutMs ?? 30_000);
      req.signal?.addEventListener('abort', fail, { once: true });
    });
  return {
    ...kube,
    request: <T>(req: KubeRequest) => (cut ? hang(req) : kube.request<T>(req)),
    watch: (req) => (cut ? hang(req) : kube.watch(req)),
    cut(on) {
      cut = on;
    },
  };
}

/** A KubeClient that records when each pod write was sent. */
function counting(kube: KubeClient): KubeClient & { podWrites: number[] } {
  const podWrites: number[] = [];
  return {
    ...kube,
    podWrites,
    request<T>(req: KubeRequest) {
      if ((req.method ?? 'GET') !== 'GET' && req.path.includes('/pods')) podWrites.push(performance.now());
      return kube.request<T>(req);
    },
  };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - start;
}

describe('leader election on a real Lease', () => {
  const kc = kubeConfigFor(inject('controlPlane'));
  let admin: KubeClient;
  let namespace: string;
  const running: RunningController[] = [];

  beforeAll(async () => {
    admin = await createKubeClient(kc);
    namespace = await createTestNamespace(kc, 'leader');
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await admin.close();
  });

  async function start(leaseName: string, identity: string, seams: ControllerSeams = {}) {
    const controller = await startControllerWith(
      {
        kubeConfig: kc,
        namespace,
        logger: silentLogger,
        leaderElection: {
          enabled: true,
          leaseName,
          leaseNamespace: namespace,
          identity,
          leaseDurationMs: LEASE_MS,
          renewDeadlineMs: RENEW_MS,
          retryPeriodMs: RETRY_MS,
        },
      },
      { reconciler: () => ({ reconcile: async () => ({}) }), ...seams },
    );
    running.push(controller);
    return controller;
  }
  const lease = (name: string) => admin.request<Lease>({ path: leasesPath(namespace, name) });

  it('two replicas: exactly one leads; the leader stops and releases → the other takes over at once', async () => {
    const a = await start('two', 'replica-a');
    const b = await start('two', 'replica-b');
    await Promise.race([a.ready, b.ready]);
    for (let i = 0; i < 20; i++) {
      expect([a, b].filter((c) => c.isLeader())).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 100));
    }
    const [leader, follower] = a.isLeader() ? [a, b] : [b, a];
    const leaderId = leader === a ? 'replica-a' : 'replica-b';
    expect((await lease('two')).spec?.holderIdentity).toBe(leaderId);
    // The follower's /readyz-level readiness does not wait for leadership, but `ready` does.
    let followerReady = false;
    void follower.ready.then(() => {
      followerReady = true;
    });
    expect(followerReady).toBe(false);

    const stopped = performance.now();
    await leader.stop();
    const released = await lease('two');
    // Released (client-go's form), or already taken by the follower.
    expect(
      released.spec?.holderIdentity === '' ||
        released.spec?.holderIdentity === (leader === a ? 'replica-b' : 'replica-a'),
    ).toBe(true);
    await until(() => follower.isLeader(), LEASE_MS, 'takeover after release');
    const takeoverMs = performance.now() - stopped;
    await follower.ready;
    expect(takeoverMs).toBeLessThan(LEASE_MS);
    const after = await lease('two');
    expect(after.spec?.holderIdentity).toBe(leader === a ? 'replica-b' : 'replica-a');
    expect(after.spec?.leaseTransitions).toBeGreaterThanOrEqual(1);
    console.log(`leader stop → takeover: ${takeoverMs.toFixed(0)} ms (retry period ${RETRY_MS} ms)`);
  });

  it('a frozen leader (network cut, no release) gives up before the other takes over; no split brain', async () => {
    let net: ReturnType<typeof partitionable> | undefined;
    const leadingB: boolean[] = [];
    const a = await start('frozen', 'replica-a', {
      wrapKube: (k) => {
        net = partitionable(k);
        return net;
      },
    });
    await a.ready;
    let aLeaderWhenBStarted: boolean | undefined;
    const b = await start('frozen', 'replica-b', {
      onLeadership: (leading) => {
        leadingB.push(leading);
        if (leading) aLeaderWhenBStarted = a.isLeader();
      },
    });
    expect(a.isLeader()).toBe(true);
    const cutAt = performance.now();
    net!.cut(true);
    const aGaveUpMs = await until(() => !a.isLeader(), RENEW_MS + RETRY_MS * 2, 'the frozen leader gives up');
    await until(() => b.isLeader(), LEASE_MS + RETRY_MS * 3, 'takeover of an unreleased lease');
    const takeoverMs = performance.now() - cutAt;
    expect(aLeaderWhenBStarted).toBe(false);
    expect(aGaveUpMs).toBeLessThan(takeoverMs);
    expect((await lease('frozen')).spec?.holderIdentity).toBe('replica-b');
    console.log(
      `frozen leader: gave up after ${aGaveUpMs.toFixed(0)} ms, the other led after ${takeoverMs.toFixed(0)} ms (lease ${LEASE_MS} ms)`,
    );
    net!.cut(false);
    // Back on the network it stays a follower: the Lease is valid and names the other replica.
    await new Promise((r) => setTimeout(r, RETRY_MS * 3));
    expect(a.isLeader()).toBe(false);
    expect(b.isLeader()).toBe(true);
  });

  it('a replica that loses the Lease sends no pod write after it lost, even from a reconcile that ignores its signal', async () => {
    await admin.request({
      method: 'POST',
      path: poolsPath(namespace),
      body: {
        apiVersion: 'agents.navix.sh/v1alpha1',
        kind: 'SandboxPool',
        metadata: { name: 'busy', namespace },
        spec: { replicas: 0 },
      },
    });
    const pod: Pod = {
      metadata: { name: 'target', namespace, labels: { [SandboxPoolLabelKey]: 'busy' } },
      spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
    };
    await admin.request({ method: 'POST', path: podsPath(namespace), body: pod });

    let kube: ReturnType<typeof counting> | undefined;
    let lostAt: number | undefined;
    let refused = 0;
    let written = 0;
    let keepWriting = true;
    await start('steal', 'replica-a', {
      wrapKube: (k) => {
        kube = counting(k);
        return kube;
      },
      onLeadership: (leading) => {
        if (!leading) lostAt ??= performance.now();
      },
      reconciler: (deps) => ({
        // A misbehaving reconcile: it writes the pod in a loop and never looks at its signal.
        async reconcile(key) {
          if (key !== `${namespace}/busy`) return {};
          let last: Pod | undefined;
          while (keepWriting) {
            last = await deps.kube.request<Pod>({ path: podsPath(namespace, 'target') }).catch(() => last);
            if (!last) continue;
            last.metadata!.annotations = { seq: String(written) };
            try {
              await deps.kube.request({ method: 'PUT', path: podsPath(namespace, 'target'), body: last });
              written++;
            } catch (err) {
              if (err instanceof NotLeaderError) refused++;
              await new Promise((r) => setTimeout(r, 5));
            }
          }
          return {};
        },
      }),
    });
    await until(() => written >= 20, 10_000, 'writes while leading');

    // Another party takes the Lease over (as if this replica's renewals had not reached the server in time).
    const current = await lease('steal');
    const now = microTime(new Date());
    await admin.request({
      method: 'PUT',
      path: leasesPath(namespace, 'steal'),
      body: {
        ...current,
        spec: { ...current.spec, holderIdentity: 'thief', renewTime: now, leaseDurationSeconds: 60 },
      },
    });
    await until(() => lostAt !== undefined, RETRY_MS * 4, 'the replica notices the other holder');
    await until(() => refused >= 20, 5_000, 'writes refused after the loss');
    keepWriting = false;
    const after = kube!.podWrites.filter((t) => t >= lostAt!);
    expect(after).toHaveLength(0);
    expect(kube!.podWrites.length).toBeGreaterThanOrEqual(20);
    console.log(
      `lease stolen: ${kube!.podWrites.length} pod writes while leading, 0 after the loss, ${refused} refused by the fence`,
    );
  });
});
