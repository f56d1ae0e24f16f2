// Helpers of the real-node tests: a PodClient over client-node, polling, and the figures file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pod, PodClient } from '@agentbox/core';
import type { CoreV1Api, V1Container, V1Pod } from '@kubernetes/client-node';

/** core's PodClient over the typed client: GET and a full PUT guarded by resourceVersion. */
export function podClient(core: CoreV1Api): PodClient {
  return {
    getPod: async (namespace, name) => (await core.readNamespacedPod({ namespace, name })) as Pod,
    replacePod: async (pod) =>
      (await core.replaceNamespacedPod({
        namespace: pod.metadata?.namespace ?? '',
        name: pod.metadata?.name ?? '',
        body: pod as V1Pod,
      })) as Pod,
  };
}

/** A pod for `nodeName` (no scheduler) with one container per entry, a short grace period and no restarts of the pod itself. */
export function podOn(
  nodeName: string,
  name: string,
  containers: V1Container[],
  labels: Record<string, string> = {},
): V1Pod {
  return {
    metadata: { name, labels },
    spec: { nodeName, terminationGracePeriodSeconds: 2, containers },
  };
}

/** Polls the pod every 200 ms until `ok` holds; the timeout error shows the last status. */
export async function waitForPod(
  core: CoreV1Api,
  namespace: string,
  name: string,
  what: string,
  ok: (pod: V1Pod) => boolean,
  timeoutMs = 90_000,
): Promise<V1Pod> {
  const deadline = Date.now() + timeoutMs;
  let last: V1Pod | undefined;
  for (;;) {
    last = await core.readNamespacedPod({ namespace, name });
    if (ok(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(
        `pod ${namespace}/${name}: ${what} not within ${timeoutMs} ms; status:\n${JSON.stringify(last.status, null, 2)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Polls `check` every 200 ms until it answers true. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The status of container `name`. */
export function statusOf(pod: V1Pod, name = 'main') {
  return pod.status?.containerStatuses?.find((s) => s.name === name);
}

/** True when container `name` runs, is ready, and reports `digest` in its imageID. */
export function runsDigest(pod: V1Pod, digest: string, name = 'main'): boolean {
  const s = statusOf(pod, name);
  return s?.state?.running !== undefined && s.ready === true && (s.imageID ?? '').endsWith(`@${digest}`);
}

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Writes `.test-results/<file>` at the repository root. */
export function writeResult(file: string, value: unknown): string {
  const dir = join(root, '.test-results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}

/** The median and maximum of `values` (undefined when empty). */
export function p50max(values: readonly number[]): { p50: number; max: number; n: number } | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
    n: values.length,
  };
}

/** The repository root (for spawning fixtures). */
export const repoRoot = root;

function present(record: object): string[] {
  return Object.entries(record)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k]) => k)
    .sort();
}

function shape(value: unknown): unknown {
  if (value instanceof Date) return 'time';
  if (Array.isArray(value)) return value.map(shape);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(present(value).map((k) => [k, shape((value as Record<string, unknown>)[k])]));
  }
  return typeof value;
}

/**
 * The shape of a pod's status for comparing two nodes: which fields are present (recursively,
 * with their types), the phase and condition verdicts, and per container the ID and image
 * formats (random parts masked), readiness, restart count and the reason/exit code of the last
 * termination.
 */
export function statusShape(pod: V1Pod): unknown {
  const st = pod.status ?? {};
  return {
    fields: present(st),
    phase: st.phase,
    conditions: (st.conditions ?? [])
      .map((c) => ({ type: c.type, status: c.status, reason: c.reason, fields: present(c) }))
      .sort((a, b) => a.type.localeCompare(b.type)),
    containers: (st.containerStatuses ?? []).map((c) => ({
      name: c.name,
      fields: present(c),
      containerID: c.containerID?.replace(/[0-9a-f]{64}$/, '<64 hex>'),
      image: c.image.replace(/:[^:/@]+$/, ':<tag>'),
      imageID: c.imageID.replace(/@sha256:[0-9a-f]{64}$/, '@<digest>'),
      ready: c.ready,
      started: c.started,
      restartCount: c.restartCount,
      state: shape(c.state),
      lastState: shape(c.lastState),
      lastTermination: c.lastState?.terminated && {
        exitCode: c.lastState.terminated.exitCode,
        reason: c.lastState.terminated.reason,
      },
    })),
  };
}
