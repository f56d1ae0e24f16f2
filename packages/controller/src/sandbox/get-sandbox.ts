import { findSandboxPod } from './internal/find-sandbox-pod.js';
import type { SandboxContext } from './internal/sandbox-context.js';
import { type Sandbox, type SandboxRef, sandboxFromPod } from './sandbox.js';

/** Reads one sandbox (a fresh read of its pod); SandboxNotFoundError when no pod carries it. */
export async function getSandbox(
  ctx: SandboxContext,
  ref: SandboxRef,
  signal?: AbortSignal,
): Promise<Sandbox> {
  return sandboxFromPod(await findSandboxPod(await ctx.kube(), ref, signal));
}
