import { eventsPath, podsPath } from '@agentbox/controller';
import type { Pod } from '@agentbox/core';
import type { CliContext } from '../cli-context.js';
import { sandboxClient, sandboxRef } from '../internal/sandbox-client.js';
import { withWhat } from '../output/describe-error.js';
import { describeEvents, describeFields, indent, type KubeEvent } from '../output/describe-text.js';
import { formatAge } from '../output/duration.js';
import { formatTable } from '../output/format-table.js';

/** `agentbox describe sandbox ID|pod/NAME`: the sandbox, its pod's containers, the pending update, recent Events. */
export async function run(ctx: CliContext, id: string): Promise<void> {
  const client = await sandboxClient(ctx);
  const kube = await ctx.kube();
  const what = `describe sandbox ${id}`;
  const ref = sandboxRef(id, ctx.namespace());
  try {
    const { sandbox, summary, explanation } = await client.explain(ref, { signal: ctx.signal });
    const [pod, events] = await Promise.all([
      kube.request<Pod>({ path: podsPath(sandbox.namespace, sandbox.pod) }),
      kube
        .request<{ items: KubeEvent[] }>({
          path: eventsPath(sandbox.namespace),
          query: { fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${sandbox.pod}` },
        })
        .then((l) => l.items),
    ]);
    const now = Date.now();
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
    ctx.io.out(out);
  } catch (err) {
    throw withWhat(what, err, kube.server);
  }
}
