import type { Pod } from '@agentbox/core';
import {
  createTestNamespace,
  type KubeletSimulator,
  kubeConfigFor,
  pullSecretReaderFor,
  pushImage,
  registryFromProvided,
  startKubeletSimulator,
} from '@agentbox/testenv';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKubeClient, type KubeClient } from '../src/kube/kube-client.js';
import { leasesPath, podsPath, poolsPath, secretsPath } from '../src/kube/kube-paths.js';
import type { Lease } from '../src/leader/lease.js';
import type { Logger } from '../src/observability/logger.js';
import type { SandboxPool } from '../src/pool/sandbox-pool.js';
import { createSandboxClient } from '../src/sandbox/create-sandbox-client.js';
import { type RunningController, startController } from '../src/start-controller.js';
import { applyAll } from './deploy-fixture.js';

/** Log lines at warn and above, to show that nothing was forbidden. */
function capture(lines: Array<Record<string, unknown>>): Logger {
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (obj, msg) => lines.push({ ...obj, msg, level: 'warn' }),
    error: (obj, msg) => lines.push({ ...obj, msg, level: 'error' }),
    child: () => logger,
  };
  return logger;
}

// The controller runs with a token of deploy/'s ServiceAccount (TokenRequest), so a verb missing from the
// ClusterRole or the Lease Role stops this cycle; the claimer and the node keep the admin identity.
describe("the controller under deploy/'s ServiceAccount", () => {
  const access = inject('controlPlane');
  const admin = kubeConfigFor(access);
  let kube: KubeClient;
  let namespace: string;
  let node: KubeletSimulator;
  let controller: RunningController | undefined;
  const logs: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    kube = await createKubeClient(admin);
    await applyAll(kube, false);
    namespace = await createTestNamespace(admin, 'deploy-rbac');
  });
  afterAll(async () => {
    await controller?.stop();
    await node?.stop();
    await kube.close();
  });

  it('runs a pool through claim → running → release → idle with exactly the granted verbs', async () => {
    const provided = inject('registries').basic;
    const registry = registryFromProvided(provided);
    const idle = await pushImage(registry, { repository: `rbac/${namespace}`, tag: 'idle' });
    const work = await pushImage(registry, { repository: `rbac/${namespace}`, tag: 'work' });
    // A pull secret the controller must read (GET secrets) to resolve digests in the Basic-auth registry.
    const secret = await pullSecretReaderFor(provided, namespace, 'regcred').getSecret(namespace, 'regcred');
    await kube.request({
      method: 'POST',
      path: secretsPath(namespace),
      body: { metadata: { name: 'regcred' }, ...secret },
    });
    node = await startKubeletSimulator(admin, {
      namespace,
      registryCredentials: { [provided.host]: { username: provided.username, password: provided.password } },
    });

    const token = await kube.request<{ status: { token: string } }>({
      method: 'POST',
      path: '/api/v1/namespaces/agentbox-system/serviceaccounts/agentbox-controller/token',
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 3600 },
      },
    });
    const asController = kubeConfigFor({ ...access, token: token.status.token });
    // The identity really is restricted: it may not list Secrets.
    const sa = await createKubeClient(asController);
    const denied = await sa.request({ path: secretsPath(namespace) }).catch((e: unknown) => e);
    expect((denied as { status?: number }).status).toBe(403);
    await sa.close();

    controller = await startController({
      kubeConfig: asController,
      namespace,
      logger: capture(logs),
      leaderElection: { enabled: true, leaseName: `rbac-${namespace}`, leaseNamespace: 'agentbox-system' },
    });
    await controller.ready;

    await kube.request({
      method: 'POST',
      path: poolsPath(namespace),
      body: {
        apiVersion: 'agents.navix.sh/v1alpha1',
        kind: 'SandboxPool',
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          idleImage: idle.reference,
          template: {
            spec: {
              containers: [{ name: 'main', image: work.reference }],
              imagePullSecrets: [{ name: 'regcred' }],
              terminationGracePeriodSeconds: 0,
            },
          },
        },
      },
    });
    const until = async <T>(what: string, check: () => Promise<T | undefined | false>, ms = 30_000) => {
      const end = Date.now() + ms;
      for (;;) {
        const v = await check();
        if (v) return v;
        if (Date.now() > end) throw new Error(`${what}; controller warnings: ${JSON.stringify(logs)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until('pool Ready with 2 idle pods', async () => {
      const pool = await kube.request<SandboxPool>({ path: poolsPath(namespace, 'web') });
      return pool.status?.phase === 'Ready' && pool.status.idleReplicas === 2;
    });

    const client = createSandboxClient({ kubeConfig: admin });
    const sandbox = await client.claim({ namespace, pool: 'web', image: work.reference });
    const running = await client.wait(sandbox, { phase: 'running', timeoutMs: 30_000 });
    expect(running.phase).toBe('running');
    await client.release(sandbox);
    await until('the released pod back to idle', async () => {
      const pod = await kube.request<Pod>({ path: podsPath(namespace, sandbox.pod) });
      return pod.metadata?.labels?.['agentbox.navix.sh/sandbox-phase'] === 'idle';
    });
    // Events were written under the ServiceAccount (create, then patch of aggregated repeats).
    const events = await kube.request<{ items: Array<{ reason: string }> }>({
      path: `/api/v1/namespaces/${namespace}/events`,
    });
    expect(events.items.map((e) => e.reason)).toEqual(
      expect.arrayContaining(['SandboxRunning', 'SandboxIdle']),
    );
    const lease = await kube.request<Lease>({ path: leasesPath('agentbox-system', `rbac-${namespace}`) });
    expect(lease.spec?.holderIdentity).toBeTruthy();
    expect(JSON.stringify(logs)).not.toMatch(/forbidden/i);
    await client.close();
  }, 90_000);
});
