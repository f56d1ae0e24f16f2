import type { WaitPhase } from '@agentbox/controller';
import type { CliContext } from '../cli-context.js';
import { sandboxClient, sandboxRef, sandboxSubject } from '../internal/sandbox-client.js';
import { waitWithProgress } from '../internal/wait-with-progress.js';
import { withWhat } from '../output/describe-error.js';
import { parseDuration } from '../output/duration.js';
import { printStructured } from '../output/print-objects.js';

/** `agentbox wait ID --for running|idle|released`: watches the pod, shows progress, then the final line. */
export async function run(
  ctx: CliContext,
  id: string,
  opts: { for: WaitPhase; timeout: string; output?: 'json' | 'yaml' },
): Promise<void> {
  const timeoutMs = parseDuration(opts.timeout, '--timeout');
  const client = await sandboxClient(ctx);
  const what = `wait ${id}`;
  const ref = sandboxRef(id, ctx.namespace());
  const current = await client.get(ref, { signal: ctx.signal }).catch((err) => {
    throw withWhat(what, err);
  });
  // Follow the pod: its sandbox id goes away on the way to idle.
  const sandbox = await waitWithProgress(
    ctx,
    client,
    { namespace: current.namespace, pod: current.pod },
    sandboxSubject(current.id, current.pod),
    opts.for,
    timeoutMs,
  ).catch((err) => {
    throw withWhat(what, err);
  });
  if (opts.output) printStructured(ctx.io, opts.output, sandbox);
  else ctx.io.out(`sandbox/${current.id || id} ${opts.for}\n`);
}
