import type { UpdateExplanation } from '@agentbox/core';

/**
 * The first reason of an explainUpdate answer as one line, kubelet's waiting reason first when there is one:
 * `ImagePullBackOff: container main: Back-off pulling image "…"`, else `DigestMismatch: container main: …`.
 * `undefined` when nothing is pending.
 */
export function firstPendingReason(explanation: UpdateExplanation): string | undefined {
  const c = explanation.containers.find((x) => !x.done);
  if (c === undefined) return undefined;
  const reason = c.waiting?.reason || c.reason || 'Pending';
  const detail = c.waiting?.message || c.message;
  return `${reason}: container ${c.container}: ${detail}`.slice(0, 1000);
}
