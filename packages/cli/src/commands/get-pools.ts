import { type KubeApiError, poolsPath, type SandboxPool, type WatchEvent } from '@agentbox/controller';
import type { CliContext } from '../cli-context.js';
import { poolRef } from '../internal/pool-names.js';
import { templateHashOf } from '../internal/template-hash.js';
import { withWhat } from '../output/describe-error.js';
import { formatAge } from '../output/duration.js';
import { formatTable } from '../output/format-table.js';
import {
  asList,
  type OutputFormat,
  outputFormat,
  printStructured,
  withoutManagedFields,
} from '../output/print-objects.js';

interface GetPoolsOptions {
  allNamespaces?: boolean;
  selector?: string;
  output?: string;
  watch?: boolean;
}

interface PoolList {
  metadata?: { resourceVersion?: string };
  items: SandboxPool[];
}

/** `agentbox get pools [NAME]`: the CRD's print columns, or the objects. */
export async function run(ctx: CliContext, name: string | undefined, opts: GetPoolsOptions): Promise<void> {
  const format = outputFormat(opts.output);
  const namespace = opts.allNamespaces ? '' : ctx.namespace();
  const kube = await ctx.kube();
  const what = name ? `get pool ${name}` : 'get pools';
  let pools: SandboxPool[];
  let resourceVersion: string | undefined;
  try {
    if (name) {
      const pool = await kube.request<SandboxPool>({ path: poolsPath(namespace || ctx.namespace(), name) });
      pools = [pool];
      resourceVersion = pool.metadata?.resourceVersion;
    } else {
      const list = await kube.request<PoolList>({
        path: poolsPath(namespace),
        query: { labelSelector: opts.selector },
      });
      pools = list.items;
      resourceVersion = list.metadata?.resourceVersion;
    }
  } catch (err) {
    if ((err as KubeApiError).status === 404 && name) {
      throw withWhat(
        what,
        new Error(`sandboxpool "${name}" not found in namespace ${namespace || ctx.namespace()}`),
      );
    }
    throw withWhat(what, err, kube.server);
  }
  pools = pools.map(withoutManagedFields);
  const wide = format === 'wide';
  const withNamespace = opts.allNamespaces === true;
  const now = Date.now();

  if (format === 'json' || format === 'yaml') {
    if (!opts.watch) printStructured(ctx.io, format, name ? pools[0] : asList(pools));
    else for (const p of pools) printStructured(ctx.io, format, p);
  } else if (format === 'name') {
    for (const p of pools) ctx.io.out(`${poolRef(p.metadata?.name ?? '')}\n`);
  } else if (pools.length === 0 && !opts.watch) {
    ctx.io.err(withNamespace ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`);
    return;
  } else {
    ctx.io.out(
      formatTable(
        poolHeaders(wide, withNamespace),
        pools.map((p) => poolRow(p, now, wide, withNamespace)),
      ),
    );
  }
  if (!opts.watch) return;

  // -w: kubectl's behaviour, one line (or object) per change after the list, until Ctrl-C.
  const widths = poolHeaders(wide, withNamespace).map((h) => h.length);
  await watchPools(ctx, namespace, name, opts.selector, resourceVersion, (event) => {
    const pool = withoutManagedFields(event.object as SandboxPool);
    printChange(ctx, format, pool, wide, withNamespace, widths);
  });
}

function printChange(
  ctx: CliContext,
  format: OutputFormat,
  pool: SandboxPool,
  wide: boolean,
  withNamespace: boolean,
  _widths: number[],
): void {
  if (format === 'json' || format === 'yaml') printStructured(ctx.io, format, pool);
  else if (format === 'name') ctx.io.out(`${poolRef(pool.metadata?.name ?? '')}\n`);
  else {
    // The header was printed with the list; a change is one row in the same layout.
    const table = formatTable(poolHeaders(wide, withNamespace), [
      poolRow(pool, Date.now(), wide, withNamespace),
    ]);
    ctx.io.out(table.slice(table.indexOf('\n') + 1));
  }
}

async function watchPools(
  ctx: CliContext,
  namespace: string,
  name: string | undefined,
  selector: string | undefined,
  resourceVersion: string | undefined,
  onChange: (event: WatchEvent) => void,
): Promise<void> {
  const kube = await ctx.kube();
  let rv = resourceVersion;
  while (!ctx.signal.aborted) {
    let expired = false;
    await kube
      .watch({
        path: poolsPath(namespace),
        query: {
          resourceVersion: rv,
          labelSelector: selector,
          fieldSelector: name ? `metadata.name=${name}` : undefined,
          allowWatchBookmarks: true,
        },
        signal: ctx.signal,
        onEvent(event) {
          if (event.type === 'BOOKMARK') {
            rv = (event.object as SandboxPool).metadata?.resourceVersion ?? rv;
            return;
          }
          if (event.type === 'ERROR') {
            expired = true;
            return;
          }
          rv = (event.object as SandboxPool).metadata?.resourceVersion ?? rv;
          onChange(event);
        },
      })
      .catch((err) => {
        throw withWhat('watch pools', err, kube.server);
      });
    // 410 Gone: start again from now (the changes in between were printed by no one; kubectl does the same).
    if (expired) rv = undefined;
  }
}

/** The table headers: the CRD's print columns (plus NAMESPACE with -A, IDLE-IMAGE and TEMPLATE-HASH with -o wide). */
export function poolHeaders(wide: boolean, withNamespace: boolean): string[] {
  return [
    ...(withNamespace ? ['NAMESPACE'] : []),
    'NAME',
    'PHASE',
    'REPLICAS',
    'IDLE',
    'UNAVAIL',
    'RUNNING',
    'STARTING',
    'STOPPING',
    'FAILED',
    'AGE',
    ...(wide ? ['IDLE-IMAGE', 'TEMPLATE-HASH'] : []),
  ];
}

/** One table row of a pool. */
export function poolRow(
  p: SandboxPool,
  now: number,
  wide: boolean,
  withNamespace: boolean,
): (string | number | undefined)[] {
  const s = p.status ?? {};
  return [
    ...(withNamespace ? [p.metadata?.namespace] : []),
    p.metadata?.name,
    s.phase,
    p.spec?.replicas,
    s.idleReplicas,
    s.unavailableIdleReplicas,
    s.runningReplicas,
    s.startingReplicas,
    s.stoppingReplicas,
    s.failedReplicas,
    formatAge(p.metadata?.creationTimestamp, now),
    ...(wide ? [p.spec?.idleImage, templateHashOf(p)] : []),
  ];
}
