import { podsPath, type Sandbox, sandboxFromPod } from '@agentbox/controller';
import { type Pod, SandboxIDLabelKey, SandboxPoolLabelKey } from '@agentbox/core';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { withWhat } from '../output/describe-error.js';
import { formatTable } from '../output/format-table.js';
import { asList, outputFormat, printStructured } from '../output/print-objects.js';
import { sandboxHeaders, sandboxRow } from '../output/sandbox-table.js';

interface GetSandboxesOptions {
  pool?: string;
  all?: boolean;
  allNamespaces?: boolean;
  selector?: string;
  output?: string;
  watch?: boolean;
}

/**
 * `agentbox get sandboxes [ID]`: the pool pods that carry a sandbox (all pool pods with `--all`), read with
 * one LIST of pods (`-w`: then a watch from its resourceVersion).
 */
export async function run(ctx: CliContext, id: string | undefined, opts: GetSandboxesOptions): Promise<void> {
  const format = outputFormat(opts.output);
  const namespace = opts.allNamespaces ? '' : ctx.namespace();
  const selector = [
    opts.pool ? `${SandboxPoolLabelKey}=${opts.pool}` : SandboxPoolLabelKey,
    id ? `${SandboxIDLabelKey}=${id}` : undefined,
    opts.selector,
  ]
    .filter(Boolean)
    .join(',');
  const kube = await ctx.kube();
  const what = id ? `get sandbox ${id}` : 'get sandboxes';
  let list: { metadata?: { resourceVersion?: string }; items: Pod[] };
  try {
    list = await kube.request({ path: podsPath(namespace), query: { labelSelector: selector } });
  } catch (err) {
    throw withWhat(what, err, kube.server);
  }
  const shown = (p: Pod) => opts.all === true || id !== undefined || sandboxFromPod(p).id !== '';
  const pods = list.items.filter(shown).sort(byName);
  if (id && pods.length === 0) {
    throw new CliError(`${what}: sandbox "${id}" not found in namespace ${namespace || 'any'}`, {
      code: 'SandboxNotFound',
    });
  }
  const wide = format === 'wide';
  const withNamespace = opts.allNamespaces === true;
  const sandboxes = pods.map(sandboxFromPod);
  if (format === 'json' || format === 'yaml') {
    if (!opts.watch) printStructured(ctx.io, format, id ? sandboxes[0] : asList(sandboxes));
    else for (const s of sandboxes) printStructured(ctx.io, format, s);
  } else if (format === 'name') {
    for (const s of sandboxes) ctx.io.out(`sandbox/${s.id || `<none> (pod/${s.pod})`}\n`);
  } else if (pods.length === 0 && !opts.watch) {
    ctx.io.err(withNamespace ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`);
    return;
  } else {
    const now = Date.now();
    ctx.io.out(
      formatTable(
        sandboxHeaders(wide, withNamespace),
        pods.map((p, i) => sandboxRow(sandboxes[i] as Sandbox, p, now, wide, withNamespace)),
      ),
    );
  }
  if (!opts.watch) return;

  let rv = list.metadata?.resourceVersion;
  while (!ctx.signal.aborted) {
    let expired = false;
    try {
      await kube.watch({
        path: podsPath(namespace),
        query: { labelSelector: selector, resourceVersion: rv, allowWatchBookmarks: true },
        signal: ctx.signal,
        onEvent(event) {
          const pod = event.object as Pod;
          if (event.type === 'ERROR') {
            expired = true;
            return;
          }
          rv = pod.metadata?.resourceVersion ?? rv;
          if (event.type === 'BOOKMARK' || (!shown(pod) && event.type !== 'DELETED')) return;
          const s = sandboxFromPod(pod);
          if (format === 'json' || format === 'yaml') printStructured(ctx.io, format, s);
          else if (format === 'name') ctx.io.out(`sandbox/${s.id}\n`);
          else {
            const t = formatTable(sandboxHeaders(wide, withNamespace), [
              sandboxRow(s, pod, Date.now(), wide, withNamespace),
            ]);
            ctx.io.out(t.slice(t.indexOf('\n') + 1));
          }
        },
      });
    } catch (err) {
      throw withWhat('watch sandboxes', err, kube.server);
    }
    if (expired) rv = undefined;
  }
}

function byName(a: Pod, b: Pod): number {
  const ka = `${a.metadata?.namespace}/${a.metadata?.name}`;
  const kb = `${b.metadata?.namespace}/${b.metadata?.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
