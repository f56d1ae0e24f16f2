import { InplaceUpdatePhaseCompleted } from './constants.js';
import { getSandboxPhase } from './get-sandbox-phase.js';
import { evaluateUpdate } from './internal/evaluate-update.js';
import { resolveDeps } from './internal/resolve-deps.js';
import { retryOnConflict } from './internal/retry-on-conflict.js';
import type { CoreDeps } from './ports/core-deps.js';
import type { DigestResolver } from './ports/digest-resolver.js';
import type { Pod } from './ports/pod.js';
import type { PodClient } from './ports/pod-client.js';
import { getInplaceUpdateState } from './state/get-inplace-update-state.js';
import { withUpdateCompleted } from './with-update-completed.js';

/**
 * Completes a finished in-place update in one write (SPEC 2.3): re-reads the pod (conflict-retried), and
 * when its update is complete per isInplaceUpdateCompleted sets state `completed`, the phase label to the
 * target, the stable snapshot and start times for `running`, and cleans the sandbox identity for `idle`.
 * Resolves to the stored pod, or `undefined` exactly when nothing was written: no state, already
 * completed, the phase changed since the caller's copy, or not complete yet. Throws InvalidStateError on a
 * malformed state annotation.
 */
export async function markUpdateCompleted(
  client: PodClient,
  pod: Pod,
  resolver: DigestResolver,
  deps?: CoreDeps,
): Promise<Pod | undefined> {
  const { clock, signal } = resolveDeps(deps);
  const callerPhase = getSandboxPhase(pod);
  const namespace = pod?.metadata?.namespace ?? '';
  const name = pod?.metadata?.name ?? '';
  return retryOnConflict(
    async () => {
      const current = await client.getPod(namespace, name);
      const state = getInplaceUpdateState(current);
      if (state === undefined || state.phase === InplaceUpdatePhaseCompleted) return undefined;
      // Someone else moved the pod on (a release, another controller): its new state is not ours to finish.
      if (getSandboxPhase(current) !== callerPhase) return undefined;
      if (!(await evaluateUpdate(current, resolver, signal, true)).completed) return undefined;
      const edited = withUpdateCompleted(current, state, clock.now());
      signal?.throwIfAborted();
      return client.replacePod(edited);
    },
    { retry: true, signal },
  );
}
