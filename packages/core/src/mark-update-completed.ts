import {
  IdleCleanupAnnotationKeys,
  InplaceUpdatePhaseCompleted,
  PodAnnotationInPlaceUpdateStateKey,
  SandboxIDLabelKey,
  SandboxLastActiveAnnotationKey,
  SandboxPhaseIdle,
  SandboxPhaseLabelKey,
  SandboxPhaseRunning,
  SandboxStartedAtAnnotationKey,
} from './constants.js';
import { getSandboxPhase } from './get-sandbox-phase.js';
import { buildStableContainerStatuses } from './internal/build-stable-container-statuses.js';
import { clonePod } from './internal/clone-pod.js';
import { evaluateUpdate } from './internal/evaluate-update.js';
import { resolveDeps } from './internal/resolve-deps.js';
import { retryOnConflict } from './internal/retry-on-conflict.js';
import { formatRfc3339Seconds } from './internal/rfc3339.js';
import type { CoreDeps } from './ports/core-deps.js';
import type { DigestResolver } from './ports/digest-resolver.js';
import type { Pod } from './ports/pod.js';
import type { PodClient } from './ports/pod-client.js';
import { getInplaceUpdateState } from './state/get-inplace-update-state.js';
import type { InplaceUpdateState } from './state/inplace-update-state.js';
import { serializeInplaceUpdateState } from './state/serialize-inplace-update-state.js';

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
      const edited = completeState(current, state, clock.now());
      signal?.throwIfAborted();
      return client.replacePod(edited);
    },
    { retry: true, signal },
  );
}

function completeState(current: Pod, state: InplaceUpdateState, now: Date): Pod {
  const pod = clonePod(current);
  const { labels, annotations } = pod.metadata;
  const target = state.targetPodPhase ?? '';
  const completed: InplaceUpdateState = {
    ...state,
    phase: InplaceUpdatePhaseCompleted,
    updateTimestamp: now,
  };
  // The trigger-time snapshot has served its purpose; keeping it would only re-run the checks.
  delete completed.lastContainerStatuses;
  delete completed.stableContainerStatuses;
  if (target !== '') labels[SandboxPhaseLabelKey] = target;
  if (target === '' || target === SandboxPhaseRunning) {
    const stable = buildStableContainerStatuses(pod, state.targetImages);
    if (stable !== undefined && Object.keys(stable).length > 0) completed.stableContainerStatuses = stable;
    const stamp = formatRfc3339Seconds(now);
    annotations[SandboxStartedAtAnnotationKey] = stamp;
    annotations[SandboxLastActiveAnnotationKey] = stamp;
  }
  annotations[PodAnnotationInPlaceUpdateStateKey] = serializeInplaceUpdateState(completed);
  // Keyed on the target, as the start times above are: an empty target on an idle-labelled pod is not a
  // return to idle. Cleaning the identity in the same write leaves no window in which a new claim's id could
  // be erased.
  if (target === SandboxPhaseIdle) {
    delete labels[SandboxIDLabelKey];
    for (const key of IdleCleanupAnnotationKeys) delete annotations[key];
  }
  return pod;
}
