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
import { buildStableContainerStatuses } from './internal/build-stable-container-statuses.js';
import { clonePod } from './internal/clone-pod.js';
import { formatRfc3339Seconds } from './internal/rfc3339.js';
import type { Pod } from './ports/pod.js';
import type { InplaceUpdateState } from './state/inplace-update-state.js';
import { serializeInplaceUpdateState } from './state/serialize-inplace-update-state.js';

/**
 * The edit markUpdateCompleted writes (SPEC 2.3), on a copy of `current` whose update `state` is done: state
 * `completed` at `now`, the phase label set to the target, the stable snapshot and start times for `running`,
 * the sandbox identity cleaned for `idle`. Pure: it neither reads nor writes the API; only labels and
 * annotations differ from `current`, so a caller may send the difference as a patch.
 */
export function withUpdateCompleted(current: Pod, state: InplaceUpdateState, now: Date): Pod {
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
