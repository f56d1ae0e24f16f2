import { isConflictError, type Pod, SandboxIDLabelKey, SandboxLastActiveAnnotationKey } from '@agentbox/core';
import { createPodClient } from '../kube/create-pod-client.js';
import { findSandboxPod } from './internal/find-sandbox-pod.js';
import { formatRfc3339Seconds } from './internal/rfc3339.js';
import type { SandboxContext } from './internal/sandbox-context.js';
import { describeSandboxRef, type Sandbox, type SandboxRef, sandboxFromPod } from './sandbox.js';
import { SandboxNotFoundError } from './sandbox-not-found-error.js';

const ATTEMPTS = 5;

/**
 * Sets the sandbox's `last-active` annotation to now (RFC3339, seconds), which postpones its idle timeout.
 * A conflict re-reads and writes again; a pod that no longer carries the sandbox (released, or claimed by
 * another) is SandboxNotFoundError.
 */
export async function touch(ctx: SandboxContext, ref: SandboxRef, signal?: AbortSignal): Promise<Sandbox> {
  const kube = await ctx.kube();
  const client = createPodClient(kube, { signal });
  let pod: Pod = await findSandboxPod(kube, ref, signal);
  const sandboxId = 'sandboxId' in ref ? ref.sandboxId : pod.metadata?.labels?.[SandboxIDLabelKey];
  for (let attempt = 1; ; attempt++) {
    if (!sandboxId || pod.metadata?.labels?.[SandboxIDLabelKey] !== sandboxId)
      throw new SandboxNotFoundError(ref.namespace, describeSandboxRef(ref));
    const stamp = formatRfc3339Seconds(ctx.options.clock.now());
    if (pod.metadata?.annotations?.[SandboxLastActiveAnnotationKey] === stamp) return sandboxFromPod(pod);
    const edited = structuredClone(pod);
    edited.metadata ??= {};
    edited.metadata.annotations = { ...edited.metadata.annotations, [SandboxLastActiveAnnotationKey]: stamp };
    try {
      return sandboxFromPod(await client.replacePod(edited));
    } catch (err) {
      if (!isConflictError(err) || attempt >= ATTEMPTS) throw err;
      pod = await client.getPod(ref.namespace, pod.metadata?.name ?? '');
    }
  }
}
