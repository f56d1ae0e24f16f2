import { type KubeClient, podsPath, poolsPath, type SandboxClient } from '@agentbox/controller';
import {
  SandboxPhaseIdle,
  SandboxPhaseLabelKey,
  SandboxPhaseRunning,
  SandboxPoolLabelKey,
} from '@agentbox/core';
import { type AuditCounts, auditMark, countAudit } from './audit-log.js';
import type { ControllerKind } from './controller-process.js';
import { PodTracker } from './pod-tracker.js';
import { observerNow } from './watch-observer.js';

/** What one round of claims measured for one controller. */
export interface ClaimRound {
  kind: ControllerKind;
  sequentialReactionsMs: number[];
  concurrentReactionsMs: number[];
  concurrentClaims: number;
  concurrentWallMs: number;
  controller: AuditCounts;
  claimer: AuditCounts;
}

/** The pool every round creates: one container, the idle image, no timeouts that could fire during a round. */
export function poolObject(name: string, namespace: string, replicas: number, idleImage: string): object {
  return {
    apiVersion: 'agents.navix.sh/v1alpha1',
    kind: 'SandboxPool',
    metadata: { name, namespace },
    spec: {
      replicas,
      idleImage,
      defaultStartupTimeout: '10m0s',
      template: {
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: idleImage }] },
      },
    },
  };
}

/**
 * One round: `sequential` claims one at a time (each waits for running), then `concurrent` claims at once,
 * all of `image`, on a pool whose idle pods exist and are Ready. For the controller-runtime round the
 * harness makes the idle pods itself (the baseline only completes updates); for agentbox its controller
 * makes them from the pool.
 */
export async function measureClaimRound(options: {
  kind: ControllerKind;
  kube: KubeClient;
  /** For the watch observer process. */
  kubeconfigPath: string;
  client: SandboxClient;
  namespace: string;
  pool: string;
  idleImage: string;
  image: string;
  targetDigest: string;
  sequential: number;
  concurrent: number;
  auditLog: string;
  controllerUserAgent: string;
  claimerUserAgent: string;
  createIdlePods: boolean;
}): Promise<ClaimRound> {
  const { kube, namespace, pool } = options;
  const total = options.sequential + options.concurrent;
  const tracker = new PodTracker(options.kubeconfigPath, namespace, new Set([options.targetDigest]));
  await tracker.start();
  try {
    if (options.createIdlePods) {
      await Promise.all(
        Array.from({ length: total }, () =>
          kube.request({
            method: 'POST',
            path: podsPath(namespace),
            body: {
              metadata: {
                generateName: `${pool}-`,
                labels: { [SandboxPoolLabelKey]: pool, [SandboxPhaseLabelKey]: SandboxPhaseIdle },
              },
              spec: {
                terminationGracePeriodSeconds: 0,
                containers: [{ name: 'main', image: options.idleImage }],
              },
            },
          }),
        ),
      );
    }
    await tracker.waitFor(
      () => tracker.count(SandboxPhaseIdle, true) >= total,
      180_000,
      `${total} idle Ready pods`,
    );

    tracker.startTracking();
    for (let i = 0; i < options.sequential; i++) {
      const sandbox = await options.client.claim({ namespace, pool, image: options.image });
      await tracker.waitFor(() => tracker.isTracked(sandbox.pod), 30_000, `pod ${sandbox.pod} seen starting`);
      await tracker.waitFor(() => tracker.allRunning(), 60_000, `sandbox ${sandbox.id} running`);
    }
    const sequentialReactionsMs = tracker.reactionsMs();
    tracker.reset();

    const mark = auditMark(options.auditLog);
    const start = observerNow();
    const sandboxes = await Promise.all(
      Array.from({ length: options.concurrent }, () =>
        options.client.claim({ namespace, pool, image: options.image }),
      ),
    );
    await tracker.waitFor(
      () => sandboxes.every((s) => tracker.isTracked(s.pod)),
      30_000,
      'every claimed pod seen starting',
    );
    await tracker.waitFor(() => tracker.allRunning(), 120_000, `${options.concurrent} sandboxes running`);
    const concurrentWallMs = tracker.lastRunningAt() - start;
    // Let the controller's trailing writes (pool status, Events) land before counting.
    await new Promise((r) => setTimeout(r, 1_500));
    const distinct = new Set(sandboxes.map((s) => s.pod)).size;
    if (distinct !== options.concurrent)
      throw new Error(`${options.concurrent} claims got ${distinct} distinct pods`);
    if (tracker.count(SandboxPhaseRunning) < total) throw new Error('not every claimed pod is running');
    return {
      kind: options.kind,
      sequentialReactionsMs,
      concurrentReactionsMs: tracker.reactionsMs(),
      concurrentClaims: options.concurrent,
      concurrentWallMs,
      controller: countAudit(options.auditLog, mark, options.controllerUserAgent),
      claimer: countAudit(options.auditLog, mark, options.claimerUserAgent),
    };
  } finally {
    await tracker.stop();
  }
}

/** Creates a SandboxPool object through the API. */
export async function createPool(kube: KubeClient, namespace: string, body: object): Promise<void> {
  await kube.request({ method: 'POST', path: poolsPath(namespace), body });
}
