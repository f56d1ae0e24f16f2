import { explainUpdate } from '@agentbox/core';
import { summarizeExplanation } from './explanation-summary.js';
import { findSandboxPod } from './internal/find-sandbox-pod.js';
import type { SandboxContext } from './internal/sandbox-context.js';
import { type SandboxRef, sandboxFromPod } from './sandbox.js';
import type { SandboxExplanation } from './sandbox-client.js';

/** What the sandbox's pending update awaits: core's explainUpdate on a fresh read of its pod, with the client's resolver. */
export async function explainSandbox(
  ctx: SandboxContext,
  ref: SandboxRef,
  signal?: AbortSignal,
): Promise<SandboxExplanation> {
  const pod = await findSandboxPod(await ctx.kube(), ref, signal);
  const explanation = await explainUpdate(pod, await ctx.resolver(), { signal });
  const summary = summarizeExplanation(explanation);
  return summary === undefined
    ? { sandbox: sandboxFromPod(pod), explanation }
    : { sandbox: sandboxFromPod(pod), explanation, summary };
}
