import type { Sandbox } from '@agentbox/controller';
import { digestFromImageID, type Pod } from '@agentbox/core';
import { formatAge } from './duration.js';

/** Columns of `get sandboxes` (with -A: NAMESPACE first; -o wide: NODE … CONTAINER-ID). */
export function sandboxHeaders(wide: boolean, withNamespace: boolean): string[] {
  return [
    ...(withNamespace ? ['NAMESPACE'] : []),
    'ID',
    'POOL',
    'PHASE',
    'POD',
    'IMAGE',
    'AGE',
    ...(wide ? ['NODE', 'STARTED', 'LAST-ACTIVE', 'DIGEST', 'CONTAINER-ID'] : []),
  ];
}

/** One row: the sandbox, and from its pod (when at hand) the node and container 0's digest and container ID. */
export function sandboxRow(
  s: Sandbox,
  pod: Pod | undefined,
  now: number,
  wide: boolean,
  withNamespace: boolean,
): (string | undefined)[] {
  const first = pod?.spec?.containers?.[0]?.name ?? Object.keys(s.images)[0];
  const status = pod?.status?.containerStatuses?.find((c) => c.name === first);
  let digest: string | undefined;
  try {
    digest = status?.imageID ? digestFromImageID(status.imageID) : undefined;
  } catch {
    digest = undefined;
  }
  return [
    ...(withNamespace ? [s.namespace] : []),
    s.id,
    s.pool,
    s.phase,
    s.pod,
    first ? s.images[first] : undefined,
    s.claimedAt ? formatAge(s.claimedAt, now) : undefined,
    ...(wide
      ? [
          (pod?.spec as { nodeName?: string } | undefined)?.nodeName,
          s.startedAt ? formatAge(s.startedAt, now) : undefined,
          s.lastActive ? formatAge(s.lastActive, now) : undefined,
          digest,
          status?.containerID,
        ]
      : []),
  ];
}
