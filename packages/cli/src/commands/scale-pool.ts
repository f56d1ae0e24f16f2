import { poolsPath } from '@agentbox/controller';
import type { CliContext } from '../cli-context.js';
import { parseCount } from '../internal/parse-flags.js';
import { poolRef } from '../internal/pool-names.js';
import { withWhat } from '../output/describe-error.js';

/** `agentbox scale pool NAME --replicas N`: a merge patch of the scale subresource, as `kubectl scale` sends. */
export async function run(ctx: CliContext, name: string, opts: { replicas: string }): Promise<void> {
  const replicas = parseCount(opts.replicas, '--replicas');
  const kube = await ctx.kube();
  try {
    await kube.request({
      method: 'PATCH',
      path: poolsPath(ctx.namespace(), name, 'scale'),
      query: { fieldManager: 'agentbox' },
      body: { spec: { replicas } },
    });
  } catch (err) {
    throw withWhat(`scale pool ${name}`, err, kube.server);
  }
  ctx.io.out(`${poolRef(name)} scaled\n`);
}
