import { getSandboxPhase, SandboxIDLabelKey, SandboxPoolLabelKey } from '@agentbox/core';
import { createPodClient } from '../kube/create-pod-client.js';
import { findSandboxPod } from './internal/find-sandbox-pod.js';
import { readPool } from './internal/read-pool.js';
import type { SandboxContext } from './internal/sandbox-context.js';
import { releasePod } from './release-pod.js';
import { type Sandbox, type SandboxRef, sandboxFromPod } from './sandbox.js';
import type { ReleaseOptions } from './sandbox-client.js';

/**
 * Releases a sandbox (CONTROLLER.md §6): finds its pod, reads its pool for the idle images and hands both
 * to releasePod. Resolves to the sandbox as stored after the release, or as it is when there was nothing
 * to release (already stopping or idle: T8).
 */
export async function release(
  ctx: SandboxContext,
  ref: SandboxRef,
  options: ReleaseOptions = {},
): Promise<Sandbox> {
  const { signal } = options;
  const kube = await ctx.kube();
  const pod = await findSandboxPod(kube, ref, signal);
  const phase = getSandboxPhase(pod);
  const sandboxId = pod.metadata?.labels?.[SandboxIDLabelKey];
  const poolName = pod.metadata?.labels?.[SandboxPoolLabelKey] ?? '';
  const pool = await readPool(kube, ref.namespace, poolName, signal);
  const result = await releasePod(createPodClient(kube, { signal }), pod, pool, {
    stopReason: options.reason,
    // A sandbox named by id stays that sandbox: the pod may be released and claimed again meanwhile.
    sandboxId: 'sandboxId' in ref ? ref.sandboxId : sandboxId,
    clock: ctx.options.clock,
    signal,
  });
  ctx.options.logger
    .child({ namespace: ref.namespace, pool: poolName, pod: pod.metadata?.name, sandboxId })
    .debug({ released: result.released, phase }, result.released ? 'released' : 'nothing to release');
  return sandboxFromPod(result.pod);
}
