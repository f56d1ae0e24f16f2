import { getSandboxPhase, type Pod, type SandboxPhase, SandboxPhases } from '@agentbox/core';
import { canonicalJson } from './internal/canonical-json.js';
import { isPodReady } from './internal/pod-facts.js';
import { poolSelectors } from './pool-selectors.js';
import type { PoolCondition, SandboxPool, SandboxPoolStatus } from './sandbox-pool.js';

/** A cause of the Degraded condition: a CamelCase reason and one line naming the pod or object. */
export interface PoolProblem {
  reason: string;
  message: string;
}

/** What the status of a pool is computed from. */
export interface PoolStatusInput {
  pool: SandboxPool;
  /** The pool's pods that are not being deleted, as the reconcile left them. */
  pods: readonly Pod[];
  /** Failed pods seen (and replaced) by this reconcile. */
  failed: readonly PoolProblem[];
  /** Updates pending past their startup timeout, with the first reason explainUpdate gave. */
  stuck: readonly PoolProblem[];
  /** Other causes: a rejected template, an idle image that cannot be pulled, … */
  problems: readonly PoolProblem[];
  /** The pool is being deleted. */
  terminating: boolean;
  now: Date;
}

/** Image pull failures kubelet reports in `state.waiting.reason`. */
export const PullFailureReasons: readonly string[] = [
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
];

/** Pool phase from the facts, by priority: Terminating, Pending, ScalingUp, ScalingDown, Degraded, Ready. */
export function poolPhaseOf(facts: {
  terminating: boolean;
  replicas: number;
  total: number;
  active: number;
  degraded: boolean;
}): NonNullable<SandboxPoolStatus['phase']> {
  if (facts.terminating) return 'Terminating';
  if (facts.total === 0 && facts.replicas > 0) return 'Pending';
  if (facts.active < facts.replicas) return 'ScalingUp';
  if (facts.active > facts.replicas) return 'ScalingDown';
  if (facts.degraded) return 'Degraded';
  return 'Ready';
}

/** Pod counts per sandbox phase (getSandboxPhase). */
export function countByPhase(pods: readonly Pod[]): Record<SandboxPhase, number> {
  const counts = Object.fromEntries(SandboxPhases.map((p) => [p, 0])) as Record<SandboxPhase, number>;
  for (const pod of pods) counts[getSandboxPhase(pod)]++;
  return counts;
}

/**
 * The status of a pool (SPEC 1.1, controller contract §4): counts, phase, conditions Available, Scaling and
 * Degraded, observedGeneration and selectors. Conditions keep their `lastTransitionTime` from the current
 * status when their `status` did not change.
 */
export function computePoolStatus(input: PoolStatusInput): SandboxPoolStatus {
  const { pool, pods } = input;
  const name = pool.metadata?.name ?? '';
  const replicas = Math.max(0, pool.spec?.replicas ?? 0);
  const counts = countByPhase(pods);
  counts.failed += input.failed.length;
  const idlePods = pods.filter((p) => getSandboxPhase(p) === 'idle');
  const unavailableIdle = idlePods.filter((p) => !isPodReady(p)).length;
  const active = counts.idle + counts.starting + counts.running + counts.stopping;
  const causes: PoolProblem[] = [
    ...input.failed,
    ...input.stuck,
    ...input.problems,
    ...idleImageProblems(idlePods),
  ];
  const degraded = causes.length > 0;
  const phase = poolPhaseOf({
    terminating: input.terminating,
    replicas,
    total: pods.length,
    active,
    degraded,
  });
  const generation = pool.metadata?.generation;
  const previous = pool.status?.conditions ?? [];
  const stamp = input.now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const condition = (type: string, ok: boolean, reason: string, message: string): PoolCondition => {
    const status = ok ? 'True' : 'False';
    const before = previous.find((c) => c.type === type);
    const c: PoolCondition = {
      type,
      status,
      reason,
      message,
      lastTransitionTime: before?.status === status ? before.lastTransitionTime : stamp,
    };
    if (generation !== undefined) c.observedGeneration = generation;
    return c;
  };
  const ready = counts.idle - unavailableIdle;
  const conditions: PoolCondition[] = [
    counts.idle > 0
      ? condition(
          'Available',
          true,
          'IdleSandboxesAvailable',
          `${counts.idle} idle sandboxes (${ready} ready)`,
        )
      : condition(
          'Available',
          false,
          'NoIdleSandboxes',
          `no idle sandbox (${active} of ${replicas} pods exist)`,
        ),
    active < replicas
      ? condition('Scaling', true, 'ScalingUp', `${active} of ${replicas} pods exist`)
      : active > replicas
        ? condition('Scaling', true, 'ScalingDown', `${active} pods for ${replicas} replicas`)
        : condition('Scaling', false, 'AtReplicas', `${replicas} pods`),
    degraded
      ? condition('Degraded', true, causes[0]!.reason, summarize(causes))
      : condition('Degraded', false, 'AsExpected', 'no failed or stuck sandbox'),
  ];
  const status: SandboxPoolStatus = {
    phase,
    idleReplicas: counts.idle,
    unavailableIdleReplicas: unavailableIdle,
    runningReplicas: counts.running,
    startingReplicas: counts.starting,
    stoppingReplicas: counts.stopping,
    failedReplicas: counts.failed,
    ...poolSelectors(name),
    conditions,
  };
  if (generation !== undefined) status.observedGeneration = generation;
  return status;
}

/** True when two statuses differ in anything but their conditions' `lastTransitionTime`. */
export function poolStatusChanged(current: SandboxPoolStatus | undefined, next: SandboxPoolStatus): boolean {
  if (current === undefined) return true;
  return canonicalJson(comparable(current)) !== canonicalJson(comparable(next));
}

function comparable(s: SandboxPoolStatus): unknown {
  const conditions = [...(s.conditions ?? [])]
    .map(({ lastTransitionTime: _, ...c }) => c)
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return { ...s, conditions };
}

function idleImageProblems(idlePods: readonly Pod[]): PoolProblem[] {
  const out: PoolProblem[] = [];
  for (const pod of idlePods) {
    for (const status of pod.status?.containerStatuses ?? []) {
      const waiting = status.state?.waiting;
      if (waiting?.reason !== undefined && PullFailureReasons.includes(waiting.reason)) {
        out.push({
          reason: 'IdleImageUnavailable',
          message:
            `idle pod ${pod.metadata?.name}: ${waiting.reason}: ${waiting.message ?? status.image ?? ''}`.trim(),
        });
        break;
      }
    }
  }
  return out;
}

function summarize(causes: readonly PoolProblem[]): string {
  const first = causes[0]!;
  const more = causes.length > 1 ? ` (and ${causes.length - 1} more)` : '';
  return `${first.message}${more}`.slice(0, 1000);
}
