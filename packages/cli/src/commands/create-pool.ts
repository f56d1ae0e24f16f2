import { poolsPath, type SandboxPool } from '@agentbox/controller';
import { SandboxPoolGroup, SandboxPoolKind, SandboxPoolVersion } from '@agentbox/core';
import type { CliContext } from '../cli-context.js';
import { usageError } from '../cli-error.js';
import { parseCount, parsePairs } from '../internal/parse-flags.js';
import { poolRef } from '../internal/pool-names.js';
import { withWhat } from '../output/describe-error.js';
import { formatDuration, parseDuration } from '../output/duration.js';
import { printStructured, withoutManagedFields } from '../output/print-objects.js';

interface CreatePoolOptions {
  image: string;
  idleImage: string;
  replicas: string;
  container?: string[];
  startupTimeout?: string;
  idleTimeout?: string;
  dryRun?: 'client' | 'server' | 'none';
  output?: 'json' | 'yaml' | 'name';
}

/** The container name of container 0 in a pool made by `create pool`. */
export const mainContainer = 'main';

/** `agentbox create pool NAME`: a SandboxPool whose template runs `--image` as container `main`. */
export async function run(ctx: CliContext, name: string, opts: CreatePoolOptions): Promise<void> {
  const pool = buildPool(name, ctx.namespace(), opts);
  const what = `create pool ${name}`;
  let created: SandboxPool = pool;
  if (opts.dryRun !== 'client') {
    const kube = await ctx.kube();
    try {
      created = await kube.request<SandboxPool>({
        method: 'POST',
        path: poolsPath(ctx.namespace()),
        query: { dryRun: opts.dryRun === 'server' ? 'All' : undefined, fieldManager: 'agentbox' },
        body: pool,
      });
    } catch (err) {
      throw withWhat(what, err, kube.server);
    }
  }
  if (opts.output === 'json' || opts.output === 'yaml') {
    printStructured(ctx.io, opts.output, withoutManagedFields(created));
    return;
  }
  if (opts.output === 'name') {
    ctx.io.out(`${poolRef(name)}\n`);
    return;
  }
  const suffix =
    opts.dryRun === 'client' ? ' (dry run)' : opts.dryRun === 'server' ? ' (server dry run)' : '';
  ctx.io.out(`${poolRef(name)} created${suffix}\n`);
}

/** The SandboxPool object of the flags. */
export function buildPool(name: string, namespace: string, opts: CreatePoolOptions): SandboxPool {
  const replicas = parseCount(opts.replicas, '--replicas');
  const extra = parsePairs(opts.container, '--container');
  if (extra[mainContainer] !== undefined) {
    throw usageError(`--container ${mainContainer}=…: container ${mainContainer} is set with --image`);
  }
  const spec: SandboxPool['spec'] = {
    replicas,
    idleImage: opts.idleImage,
    template: {
      spec: {
        containers: [
          { name: mainContainer, image: opts.image },
          ...Object.entries(extra).map(([n, image]) => ({ name: n, image })),
        ],
      },
    },
  };
  if (opts.startupTimeout)
    spec.defaultStartupTimeout = formatDuration(parseDuration(opts.startupTimeout, '--startup-timeout'));
  if (opts.idleTimeout)
    spec.defaultIdleTimeout = formatDuration(parseDuration(opts.idleTimeout, '--idle-timeout'));
  return {
    apiVersion: `${SandboxPoolGroup}/${SandboxPoolVersion}`,
    kind: SandboxPoolKind,
    metadata: { name, namespace },
    spec,
  };
}
