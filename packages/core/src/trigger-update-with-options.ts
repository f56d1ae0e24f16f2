import { applyUpdate } from './internal/apply-update.js';
import { clonePod } from './internal/clone-pod.js';
import { resolveDeps } from './internal/resolve-deps.js';
import { retryOnConflict } from './internal/retry-on-conflict.js';
import type { CoreDeps } from './ports/core-deps.js';
import type { Pod } from './ports/pod.js';
import type { PodClient } from './ports/pod-client.js';
import { resolveUpdateOptions, type UpdateOptions } from './update-options.js';

/**
 * Switches a pod's images and phase in place (SPEC 2.1): reads the pod fresh, validates, edits, and writes
 * it back in one full update guarded by resourceVersion, re-reading and retrying on 409 unless
 * `disableRetry`. Nothing is written when nothing changes or validation fails. Resolves to the pod as the
 * API server stored it (the fresh read when nothing was written).
 */
export async function triggerUpdateWithOptions(
  client: PodClient,
  pod: Pod,
  options: UpdateOptions,
  deps?: CoreDeps,
): Promise<Pod> {
  const opts = resolveUpdateOptions(options);
  const { clock, signal } = resolveDeps(deps);
  const namespace = pod?.metadata?.namespace ?? '';
  const name = pod?.metadata?.name ?? '';
  return retryOnConflict(
    async () => {
      const fresh = await client.getPod(namespace, name);
      const edited = clonePod(fresh);
      if (!applyUpdate(edited, opts, clock.now())) return fresh;
      signal?.throwIfAborted();
      return client.replacePod(edited);
    },
    { retry: !opts.disableRetry, signal },
  );
}
