import {
  type Clock,
  type DigestResolver,
  getInplaceUpdateState,
  getSandboxPhase,
  InplaceUpdatePhaseCompleted,
  markUpdateCompleted,
  type Pod,
  PodAnnotationInPlaceUpdateStateKey,
  type PodClient,
  SandboxPhaseLabelKey,
  withUpdateCompleted,
} from '@agentbox/core';
import { isKubeStatus } from '../../kube/kube-api-error.js';
import type { KubeClient } from '../../kube/kube-client.js';
import { podsPath } from '../../kube/kube-paths.js';

/** One RFC 6902 operation. */
export type JsonPatchOp =
  | { op: 'test' | 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/**
 * The JSON patch (RFC 6902) that turns `before` into `after` where only their labels and annotations differ
 * (what withUpdateCompleted edits), guarded by `test` operations on the phase label and the state annotation
 * of `before`: the API server applies it only while the pod is still in the update that was decided on. A
 * kubelet status write in between does not void it, as a resourceVersion precondition would.
 */
export function completionPatch(before: Pod, after: Pod): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  const labels = before.metadata?.labels ?? {};
  const annotations = before.metadata?.annotations ?? {};
  ops.push({ op: 'test', path: pathOf('labels', SandboxPhaseLabelKey), value: labels[SandboxPhaseLabelKey] });
  ops.push({
    op: 'test',
    path: pathOf('annotations', PodAnnotationInPlaceUpdateStateKey),
    value: annotations[PodAnnotationInPlaceUpdateStateKey],
  });
  diff(ops, 'labels', labels, after.metadata?.labels ?? {});
  diff(ops, 'annotations', annotations, after.metadata?.annotations ?? {});
  return ops;
}

/**
 * Writes the completion of an update that the caller found done on `cached` (an informer's copy, possibly
 * trimmed) in one request: the JSON patch of completionPatch. When its tests fail (the pod was released,
 * claimed again or relabelled since that copy) or the pod's copy lacks what the patch needs, it falls back to
 * markUpdateCompleted, which re-reads the pod and decides again (GET + PUT). Resolves to the stored pod, or
 * `undefined` when nothing was written.
 */
export async function patchUpdateCompleted(
  kube: KubeClient,
  podClient: PodClient,
  cached: Pod,
  resolver: DigestResolver,
  deps: { clock: Clock; signal?: AbortSignal },
): Promise<Pod | undefined> {
  const state = getInplaceUpdateState(cached);
  const phase = getSandboxPhase(cached);
  const labels = cached.metadata?.labels;
  const annotations = cached.metadata?.annotations;
  const fallback = () => markUpdateCompleted(podClient, cached, resolver, deps);
  if (state === undefined || state.phase === InplaceUpdatePhaseCompleted) return undefined;
  if (!labels?.[SandboxPhaseLabelKey] || phase === undefined || annotations === undefined) return fallback();
  const ops = completionPatch(cached, withUpdateCompleted(cached, state, deps.clock.now()));
  deps.signal?.throwIfAborted();
  try {
    return await kube.request<Pod>({
      method: 'PATCH',
      path: podsPath(cached.metadata?.namespace, cached.metadata?.name),
      contentType: 'application/json-patch+json',
      body: ops,
      // Sent again after a dropped connection at worst fails its tests and falls back below.
      idempotent: true,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
  } catch (err) {
    // 422: a test operation failed (the pod moved on); 409: the API server's own write conflicted.
    if (isKubeStatus(err, 422) || isKubeStatus(err, 409)) return fallback();
    throw err;
  }
}

function diff(
  ops: JsonPatchOp[],
  field: 'labels' | 'annotations',
  before: Record<string, string>,
  after: Record<string, string>,
): void {
  for (const [key, value] of Object.entries(after)) {
    if (before[key] !== value) ops.push({ op: 'add', path: pathOf(field, key), value });
  }
  for (const key of Object.keys(before)) {
    if (!(key in after)) ops.push({ op: 'remove', path: pathOf(field, key) });
  }
}

// RFC 6901: `~` and `/` inside a key are escaped.
function pathOf(field: 'labels' | 'annotations', key: string): string {
  return `/metadata/${field}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}
