import type { ContainerUpdateExplanation, UpdateExplanation } from '@agentbox/core';

/**
 * The first pending reason of an explanation in one line, e.g. `ImagePullBackOff: Back-off pulling image …`
 * (kubelet's waiting reason and message when it gave one, else explainUpdate's reason and message);
 * undefined when the update is complete. The controller puts it in `failure-message` and Pending Events.
 */
export function pendingReason(explanation: UpdateExplanation): string | undefined {
  const pending = firstPending(explanation);
  if (pending === undefined) return undefined;
  const waiting = pending.waiting;
  if (waiting?.reason)
    return waiting.message
      ? `${waiting.reason}: ${waiting.message}`
      : `${waiting.reason}: ${pending.message}`;
  return `${pending.reason ?? 'Pending'}: ${pending.message}`;
}

/** pendingReason with the container it concerns: `container main: ImagePullBackOff: …`. */
export function summarizeExplanation(explanation: UpdateExplanation): string | undefined {
  const pending = firstPending(explanation);
  const reason = pendingReason(explanation);
  return pending === undefined || reason === undefined
    ? undefined
    : `container ${pending.container}: ${reason}`;
}

function firstPending(explanation: UpdateExplanation): ContainerUpdateExplanation | undefined {
  if (explanation.completed) return undefined;
  return explanation.containers.find((c) => !c.done);
}
