import type { Pod } from '../ports/pod.js';
import type { StableContainerStatus } from '../state/inplace-update-state.js';
import { containerStatusesOf } from './pod-access.js';

/**
 * Snapshots containerID and restartCount of the containers an update targeted — only those: a sidecar
 * restarting on its own must not look like the sandbox crashing. No targets → no snapshot (undefined).
 */
export function buildStableContainerStatuses(
  pod: Pod,
  targets: Readonly<Record<string, unknown>> | undefined,
): Record<string, StableContainerStatus> | undefined {
  if (targets === undefined || Object.keys(targets).length === 0) return undefined;
  const stable: [string, StableContainerStatus][] = [];
  for (const status of containerStatusesOf(pod)) {
    if (typeof status.name !== 'string' || !Object.hasOwn(targets, status.name)) continue;
    const restartCount = typeof status.restartCount === 'number' ? status.restartCount : 0;
    const entry: StableContainerStatus = { restartCount };
    if (typeof status.containerID === 'string' && status.containerID !== '')
      entry.containerID = status.containerID;
    stable.push([status.name, entry]);
  }
  return Object.fromEntries(stable);
}
