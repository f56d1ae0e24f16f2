import type { CliContext } from '../cli-context.js';
import { sandboxClient, sandboxRef } from '../internal/sandbox-client.js';
import { withWhat } from '../output/describe-error.js';

/** `agentbox touch ID`: refreshes `last-active`. */
export async function run(ctx: CliContext, id: string): Promise<void> {
  const client = await sandboxClient(ctx);
  const sandbox = await client.touch(sandboxRef(id, ctx.namespace()), { signal: ctx.signal }).catch((err) => {
    throw withWhat(`touch ${id}`, err);
  });
  ctx.io.out(`sandbox/${sandbox.id || id} touched\n`);
}
