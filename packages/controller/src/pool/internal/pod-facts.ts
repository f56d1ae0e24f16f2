import { type Pod, SandboxPoolLabelKey } from '@agentbox/core';
import { timeMs } from '../pool-timeouts.js';

// Small reads of a (cached, trimmed) pod the reconcile steps share.

/** `namespace/name` of a pod. */
export function podKeyOf(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** True when the pod's PodReady condition is True. */
export function isPodReady(pod: Pod): boolean {
  const conditions = (pod.status as { conditions?: { type?: string; status?: string }[] } | undefined)
    ?.conditions;
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** True when the API server has marked the pod for deletion. */
export function isDeleting(pod: Pod): boolean {
  const t = pod.metadata?.deletionTimestamp;
  return t !== undefined && t !== null && t !== '';
}

/** True when the pod failed (`status.phase` Failed); its phase label may still say otherwise. */
export function isPodFailed(pod: Pod): boolean {
  return pod.status?.phase === 'Failed';
}

/** Creation time in epoch ms (0 when unknown), for oldest-first ordering. */
export function createdMs(pod: Pod): number {
  return timeMs(pod.metadata?.creationTimestamp) ?? 0;
}

/** The pool label of a pod. */
export function poolNameOf(pod: Pod): string | undefined {
  return pod.metadata?.labels?.[SandboxPoolLabelKey];
}

/** Oldest first, then by name so the order is total. */
export function oldestFirst(a: Pod, b: Pod): number {
  return createdMs(a) - createdMs(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/** `{ sandboxId }` of a claimed pod (for a release guarded by it), else `{}`. */
export function sandboxIdOf(pod: Pod): { sandboxId?: string } {
  const id = pod.metadata?.labels?.['agentbox.navix.sh/sandbox-id'];
  return id ? { sandboxId: id } : {};
}
