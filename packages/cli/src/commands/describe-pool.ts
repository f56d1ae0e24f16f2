import { eventsPath, type KubeApiError, podsPath, poolsPath, type SandboxPool } from '@agentbox/controller';
import {
  type Pod,
  SandboxPhaseLabelKey,
  SandboxPhases,
  SandboxPoolKind,
  SandboxPoolLabelKey,
} from '@agentbox/core';
import type { CliContext } from '../cli-context.js';
import { withWhat } from '../output/describe-error.js';
import {
  describeEvents,
  describeFields,
  describeMap,
  indent,
  type KubeEvent,
} from '../output/describe-text.js';
import { formatAge } from '../output/duration.js';
import { formatTable } from '../output/format-table.js';

/** `agentbox describe pool NAME`: spec, status, conditions, pods by phase and the last Events. */
export async function run(ctx: CliContext, name: string): Promise<void> {
  const namespace = ctx.namespace();
  const kube = await ctx.kube();
  const what = `describe pool ${name}`;
  let pool: SandboxPool;
  let pods: Pod[];
  let events: KubeEvent[];
  try {
    [pool, pods, events] = await Promise.all([
      kube.request<SandboxPool>({ path: poolsPath(namespace, name) }),
      kube
        .request<{ items: Pod[] }>({
          path: podsPath(namespace),
          query: { labelSelector: `${SandboxPoolLabelKey}=${name}` },
        })
        .then((l) => l.items),
      kube
        .request<{ items: KubeEvent[] }>({
          path: eventsPath(namespace),
          query: { fieldSelector: `involvedObject.kind=${SandboxPoolKind},involvedObject.name=${name}` },
        })
        .then((l) => l.items),
    ]);
  } catch (err) {
    if ((err as KubeApiError).status === 404) {
      throw withWhat(what, new Error(`sandboxpool "${name}" not found in namespace ${namespace}`));
    }
    throw withWhat(what, err, kube.server);
  }
  ctx.io.out(describePool(pool, pods, events, Date.now()));
}

/** The describe text of a pool. */
export function describePool(
  pool: SandboxPool,
  pods: readonly Pod[],
  events: readonly KubeEvent[],
  now: number,
): string {
  const m = pool.metadata ?? {};
  const spec = pool.spec ?? { replicas: 0 };
  const s = pool.status ?? {};
  let out = describeFields([
    ['Name', m.name],
    ['Namespace', m.namespace],
    ['Labels', describeMap(m.labels, 15)],
    ['Annotations', describeMap(m.annotations, 15)],
    [
      'Created',
      m.creationTimestamp ? `${m.creationTimestamp} (${formatAge(m.creationTimestamp, now)} ago)` : undefined,
    ],
    ['Replicas', `${spec.replicas} desired`],
    ['Idle Image', spec.idleImage],
    ['Image Policy', spec.podCreationImagePolicy],
    ['Startup Timeout', spec.defaultStartupTimeout],
    ['Idle Timeout', spec.defaultIdleTimeout],
    ['Max Unavailable', spec.maxUnavailable === undefined ? undefined : String(spec.maxUnavailable)],
  ]);
  const containers = spec.template?.spec?.containers ?? [];
  out += `Containers:${containers.length === 0 ? '  <none>' : ''}\n`;
  for (const c of containers) out += `  ${c.name}:\n    Image:  ${c.image ?? '<none>'}\n`;
  out += 'Status:\n';
  out += describeFields(
    [
      ['Phase', s.phase],
      [
        'Observed Generation',
        s.observedGeneration === undefined
          ? undefined
          : `${s.observedGeneration} (generation ${m.generation ?? '?'})`,
      ],
      [
        'Idle',
        s.idleReplicas === undefined
          ? undefined
          : `${s.idleReplicas} (${s.unavailableIdleReplicas ?? 0} not ready)`,
      ],
      ['Starting', num(s.startingReplicas)],
      ['Running', num(s.runningReplicas)],
      ['Stopping', num(s.stoppingReplicas)],
      ['Failed', num(s.failedReplicas)],
      ['Selector', s.selector],
    ],
    2,
  );
  const conditions = s.conditions ?? [];
  if (conditions.length === 0) out += 'Conditions:  <none>\n';
  else {
    const rows = conditions.map((c) => [
      c.type,
      c.status,
      c.reason,
      formatAge(c.lastTransitionTime, now),
      c.message,
    ]);
    out += `Conditions:\n${indent(formatTable(['Type', 'Status', 'Reason', 'Age', 'Message'], rows), 2)}`;
  }
  const byPhase = new Map<string, string[]>();
  for (const p of pods) {
    const phase = p.metadata?.deletionTimestamp
      ? 'deleting'
      : (p.metadata?.labels?.[SandboxPhaseLabelKey] ?? '<none>');
    byPhase.set(phase, [...(byPhase.get(phase) ?? []), p.metadata?.name ?? '']);
  }
  if (pods.length === 0) out += 'Pods:  <none>\n';
  else {
    const order = [...SandboxPhases, 'deleting', '<none>'];
    const rows = [...byPhase.entries()]
      .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
      .map(([phase, names]) => [phase, names.length, names.sort().join(', ')]);
    out += `Pods:\n${indent(formatTable(['Phase', 'Count', 'Pods'], rows), 2)}`;
  }
  out += describeEvents(events, now);
  return out;
}

function num(n: number | undefined): string | undefined {
  return n === undefined ? undefined : String(n);
}
