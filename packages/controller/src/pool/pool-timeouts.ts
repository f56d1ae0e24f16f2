import {
  type Pod,
  SandboxIdleTimeoutAnnotationKey,
  SandboxLastActiveAnnotationKey,
  SandboxPhaseRunning,
  SandboxPhaseStarting,
  SandboxStartedAtAnnotationKey,
  SandboxStartupTimeoutAnnotationKey,
  type Timestamp,
} from '@agentbox/core';
import { memoPhaseSince } from './internal/memo-state.js';
import { parseKubeDuration } from './parse-kube-duration.js';
import type { SandboxPool } from './sandbox-pool.js';

/**
 * The startup timeout of a pod in ms: its `startup-timeout` annotation (seconds), else the pool's
 * `defaultStartupTimeout`, else `defaultSeconds`; 0 means none.
 */
export function startupTimeoutMs(pod: Pod, pool: SandboxPool | undefined, defaultSeconds: number): number {
  const own = secondsAnnotation(pod, SandboxStartupTimeoutAnnotationKey);
  if (own !== undefined) return own * 1000;
  const fromPool = parseKubeDuration(pool?.spec?.defaultStartupTimeout);
  if (fromPool !== undefined) return fromPool;
  return Math.max(0, defaultSeconds) * 1000;
}

/** The idle timeout of a pod in ms: its `idle-timeout` annotation, else the pool's `defaultIdleTimeout`; 0 = none. */
export function idleTimeoutMs(pod: Pod, pool: SandboxPool | undefined): number {
  const own = secondsAnnotation(pod, SandboxIdleTimeoutAnnotationKey);
  if (own !== undefined) return own * 1000;
  return parseKubeDuration(pool?.spec?.defaultIdleTimeout) ?? 0;
}

/**
 * When a `starting` pod's startup timeout runs out (epoch ms), or `undefined` when it is not starting or has no
 * timeout. Throws InvalidStateError on a malformed state annotation.
 */
export function startupDeadline(
  pod: Pod,
  pool: SandboxPool | undefined,
  defaultSeconds: number,
): number | undefined {
  const timeout = startupTimeoutMs(pod, pool, defaultSeconds);
  if (timeout <= 0) return undefined;
  const { since, ok } = memoPhaseSince(pod, SandboxPhaseStarting);
  return ok ? since.getTime() + timeout : undefined;
}

/**
 * When a `running` pod's idle timeout runs out (epoch ms): the latest of its creation, `started-at` and
 * `last-active` plus the timeout; `undefined` when not running or without a timeout. A pod is released once
 * `now` is past it (strictly).
 */
export function idleDeadline(pod: Pod, pool: SandboxPool | undefined): number | undefined {
  if (pod.metadata?.labels?.['agentbox.navix.sh/sandbox-phase'] !== SandboxPhaseRunning) return undefined;
  const timeout = idleTimeoutMs(pod, pool);
  if (timeout <= 0) return undefined;
  const annotations = pod.metadata?.annotations ?? {};
  const last = Math.max(
    timeMs(pod.metadata?.creationTimestamp) ?? 0,
    timeMs(annotations[SandboxStartedAtAnnotationKey]) ?? 0,
    timeMs(annotations[SandboxLastActiveAnnotationKey]) ?? 0,
  );
  return last + timeout;
}

/** Epoch ms of a Kubernetes timestamp (a Date or an RFC3339 string); `undefined` when absent or invalid. */
export function timeMs(t: Timestamp | undefined | null): number | undefined {
  if (t === undefined || t === null || t === '') return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

function secondsAnnotation(pod: Pod, key: string): number | undefined {
  const text = pod.metadata?.annotations?.[key];
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  return Number(text);
}
