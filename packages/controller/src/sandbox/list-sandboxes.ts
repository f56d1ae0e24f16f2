import { type Pod, SandboxIDLabelKey, SandboxPoolLabelKey } from '@agentbox/core';
import { podsPath } from '../kube/kube-paths.js';
import type { SandboxContext } from './internal/sandbox-context.js';
import { type Sandbox, sandboxFromPod } from './sandbox.js';
import type { ListSandboxesOptions } from './sandbox-client.js';

/**
 * The claimed pool pods (those with a `sandbox-id` label) as sandboxes, in one label-selected LIST: of one
 * pool, of a namespace, or of all namespaces. Sorted by namespace, then claim time, then id.
 */
export async function listSandboxes(
  ctx: SandboxContext,
  options: ListSandboxesOptions = {},
): Promise<Sandbox[]> {
  const kube = await ctx.kube();
  const selector = [
    options.pool ? `${SandboxPoolLabelKey}=${options.pool}` : SandboxPoolLabelKey,
    SandboxIDLabelKey,
  ];
  const list = await kube.request<{ items?: Pod[] }>({
    path: podsPath(options.namespace),
    query: { labelSelector: selector.join(',') },
    signal: options.signal,
  });
  return (list.items ?? [])
    .map(sandboxFromPod)
    .sort(
      (a, b) =>
        compare(a.namespace, b.namespace) ||
        compare(a.claimedAt ?? '', b.claimedAt ?? '') ||
        compare(a.id, b.id),
    );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
