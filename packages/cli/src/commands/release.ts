import type { CliContext } from '../cli-context.js';
import { sandboxClient, sandboxRef, sandboxSubject } from '../internal/sandbox-client.js';
import { waitWithProgress } from '../internal/wait-with-progress.js';
import { withWhat } from '../output/describe-error.js';
import { parseDuration } from '../output/duration.js';
import { printStructured } from '../output/print-objects.js';

/** `agentbox release ID [--wait]`: back to the idle image; with `--wait` until the pod is idle again. */
export async function run(
  ctx: CliContext,
  id: string,
  opts: { wait?: boolean; timeout: string; output?: 'json' | 'yaml' | 'name' },
): Promise<void> {
  const timeoutMs = parseDuration(opts.timeout, '--timeout');
  const client = await sandboxClient(ctx);
  const what = `release ${id}`;
  const ref = sandboxRef(id, ctx.namespace());
  let sandbox = await client.release(ref, { signal: ctx.signal }).catch((err) => {
    throw withWhat(what, err);
  });
  const shownId = sandbox.id || ('sandboxId' in ref ? ref.sandboxId : id);
  if (opts.wait) {
    // The sandbox id leaves the pod on the way back to idle: follow the pod.
    sandbox = await waitWithProgress(
      ctx,
      client,
      { namespace: sandbox.namespace, pod: sandbox.pod },
      sandboxSubject(shownId, sandbox.pod),
      'idle',
      timeoutMs,
    ).catch((err) => {
      throw withWhat(what, err);
    });
  }
  if (opts.output === 'json' || opts.output === 'yaml') printStructured(ctx.io, opts.output, sandbox);
  else if (opts.output === 'name') ctx.io.out(`sandbox/${shownId}\n`);
  else ctx.io.out(`sandbox/${shownId} released\n`);
}
