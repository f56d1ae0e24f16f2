import type { Sandbox } from '@agentbox/controller';
import type { Pod, UpdateExplanation } from '@agentbox/core';
import { describeEvents, describeFields, indent, type KubeEvent } from './describe-text.js';
import { formatAge } from './duration.js';
import { formatTable } from './format-table.js';

/** What `agentbox describe sandbox` prints about: the explained sandbox, its pod as read, its Events. */
export interface DescribeSandboxInput {
  sandbox: Sandbox;
  explanation: UpdateExplanation;
  /** The first pending reason (summarizeExplanation), when the update is not complete. */
  summary?: string;
  pod: Pod;
  events: readonly KubeEvent[];
  /** Epoch ms the ages are measured from. */
  now: number;
}

/** The text of `agentbox describe sandbox`: the sandbox's fields, its pod's containers, recent Events. */
export function describeSandboxText(input: DescribeSandboxInput): string {
  const { sandbox, explanation, summary, pod, events, now } = input;
  const age = (t?: string) => (t ? `${t} (${formatAge(t, now)} ago)` : undefined);
  let out = describeFields([
    ['ID', sandbox.id || '<none>'],
    ['Namespace', sandbox.namespace],
    ['Pool', sandbox.pool],
    ['Pod', sandbox.pod],
    ['Node', (pod.spec as { nodeName?: string } | undefined)?.nodeName],
    ['Phase', sandbox.phase],
    ['Claimed', age(sandbox.claimedAt)],
    ['Started', age(sandbox.startedAt)],
    ['Last Active', age(sandbox.lastActive)],
    ['Stop Reason', sandbox.stopReason],
    ['Failure', sandbox.failureReason],
    ['Pending', explanation.completed ? undefined : (summary ?? 'pending')],
  ]);
  const rows = (pod.spec?.containers ?? []).map((c) => {
    const st = pod.status?.containerStatuses?.find((s) => s.name === c.name);
    const state = st?.state?.running
      ? 'Running'
      : st?.state?.waiting
        ? `Waiting: ${st.state.waiting.reason ?? ''}`
        : st?.state?.terminated
          ? `Terminated: ${st.state.terminated.reason ?? ''}`
          : undefined;
    return [
      c.name,
      c.image,
      state,
      st?.ready === undefined ? undefined : String(st.ready),
      st?.restartCount,
      st?.containerID,
    ];
  });
  out += `Containers:\n${indent(formatTable(['Name', 'Image', 'State', 'Ready', 'Restarts', 'Container-ID'], rows), 2)}`;
  out += describeEvents(events, now);
  return out;
}
