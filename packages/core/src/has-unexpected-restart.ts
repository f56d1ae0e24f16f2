import { InplaceUpdatePhaseCompleted, SandboxPhaseRunning } from './constants.js';
import { containerStatusesOf } from './internal/pod-access.js';
import type { Pod } from './ports/pod.js';
import { getInplaceUpdateState } from './state/get-inplace-update-state.js';
import type { InplaceUpdateState } from './state/inplace-update-state.js';

/**
 * True when, after a completed update to `running`, a container of the stable snapshot with a recorded
 * containerID now reports another one (OOM kill, crash). restartCount is never compared (kubelet writes it
 * apart from the containerID); sidecars outside the snapshot are ignored; a malformed state reads as none.
 */
export function hasUnexpectedRestart(pod: Pod | undefined): boolean {
  let state: InplaceUpdateState | undefined;
  try {
    state = getInplaceUpdateState(pod);
  } catch {
    return false;
  }
  const stable = state?.stableContainerStatuses;
  if (state?.phase !== InplaceUpdatePhaseCompleted || state.targetPodPhase !== SandboxPhaseRunning)
    return false;
  if (stable === undefined) return false;
  return containerStatusesOf(pod).some((status) => {
    const name = typeof status.name === 'string' ? status.name : undefined;
    const recorded =
      name !== undefined && Object.hasOwn(stable, name) ? stable[name]?.containerID : undefined;
    return recorded !== undefined && recorded !== '' && status.containerID !== recorded;
  });
}
