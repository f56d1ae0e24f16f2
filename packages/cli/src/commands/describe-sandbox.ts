import { eventsPath, podsPath } from '@agentbox/controller';
import type { Pod } from '@agentbox/core';
import type { CliContext } from '../cli-context.js';
import { sandboxClient, sandboxRef } from '../internal/sandbox-client.js';
import { withWhat } from '../output/describe-error.js';
import { describeSandboxText } from '../output/describe-sandbox-text.js';
import type { KubeEvent } from '../output/describe-text.js';

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
    ctx.io.out(describeSandboxText({ sandbox, explanation, summary, pod, events, now: Date.now() }));
  } catch (err) {
    throw withWhat(what, err, kube.server);
  }
}
