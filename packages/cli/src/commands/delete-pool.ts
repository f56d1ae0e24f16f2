import { podsPath, poolsPath } from '@agentbox/controller';
import { SandboxPoolLabelKey } from '@agentbox/core';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { poolRef } from '../internal/pool-names.js';
import { watchUntil } from '../internal/watch-until.js';
import { withWhat } from '../output/describe-error.js';
import { formatDuration, parseDuration } from '../output/duration.js';

/** `agentbox delete pool NAME [--wait]`. */
export async function run(
  ctx: CliContext,
  name: string,
  opts: { wait?: boolean; timeout: string },
): Promise<void> {
  const timeoutMs = parseDuration(opts.timeout, '--timeout');
  const namespace = ctx.namespace();
  const kube = await ctx.kube();
  const what = `delete pool ${name}`;
  try {
    await kube.request({ method: 'DELETE', path: poolsPath(namespace, name) });
  } catch (err) {
    throw withWhat(what, err, kube.server);
  }
  if (opts.wait) {
    try {
      // The pool goes once the controller has removed its finalizer, after its pods.
      await watchUntil({
        kube,
        path: podsPath(namespace),
        labelSelector: `${SandboxPoolLabelKey}=${name}`,
        done: (pods) => pods.size === 0,
        timeoutMs,
        onTimeout: (pods) =>
          new CliError(`${what}: ${pods.size} pod(s) still there after ${formatDuration(timeoutMs)}`, {
            code: 'WaitTimeout',
          }),
        signal: ctx.signal,
      });
      await watchUntil({
        kube,
        path: poolsPath(namespace),
        fieldSelector: `metadata.name=${name}`,
        done: (pools) => pools.size === 0,
        timeoutMs,
        onTimeout: () =>
          new CliError(
            `${what}: the pool is still there after ${formatDuration(timeoutMs)} (finalizer not removed)`,
            {
              code: 'WaitTimeout',
            },
          ),
        signal: ctx.signal,
      });
    } catch (err) {
      throw withWhat(what, err, kube.server);
    }
  }
  ctx.io.out(`${poolRef(name)} deleted\n`);
}
