import { describe, expect, it } from 'vitest';
import { computePoolStatus, poolPhaseOf, poolStatusChanged } from './compute-pool-status.js';
import { testPod, testPool } from './internal/test-pods.js';

const now = new Date('2026-01-01T01:00:00Z');
const base = { failed: [], stuck: [], problems: [], terminating: false, now };

describe('poolPhaseOf', () => {
  const facts = { terminating: false, replicas: 3, total: 3, active: 3, degraded: false };
  it('follows the priority Terminating, Pending, ScalingUp, ScalingDown, Degraded, Ready', () => {
    expect(poolPhaseOf({ ...facts, terminating: true, total: 0, degraded: true })).toBe('Terminating');
    expect(poolPhaseOf({ ...facts, total: 0, active: 0, degraded: true })).toBe('Pending');
    expect(poolPhaseOf({ ...facts, active: 2, degraded: true })).toBe('ScalingUp');
    expect(poolPhaseOf({ ...facts, active: 4, total: 4, degraded: true })).toBe('ScalingDown');
    expect(poolPhaseOf({ ...facts, degraded: true })).toBe('Degraded');
    expect(poolPhaseOf(facts)).toBe('Ready');
    expect(poolPhaseOf({ ...facts, replicas: 0, total: 0, active: 0 })).toBe('Ready');
  });
});

describe('computePoolStatus', () => {
  it('counts by sandbox phase and names unavailable idle pods, selectors and generation', () => {
    const pods = [
      testPod('a', { phase: 'idle' }),
      testPod('b', { phase: 'idle', ready: false }),
      testPod('c', { phase: 'running' }),
      testPod('d', { phase: 'starting' }),
      testPod('e'), // no phase label: idle
    ];
    const s = computePoolStatus({ ...base, pool: testPool({ replicas: 5 }), pods });
    expect(s).toMatchObject({
      phase: 'Ready',
      observedGeneration: 2,
      idleReplicas: 3,
      unavailableIdleReplicas: 1,
      runningReplicas: 1,
      startingReplicas: 1,
      stoppingReplicas: 0,
      failedReplicas: 0,
      selector: 'agentbox.navix.sh/sandbox-pool=p',
      labelSelector: { matchLabels: { 'agentbox.navix.sh/sandbox-pool': 'p' } },
    });
    expect(s.phaseSelectors?.['idle']).toBe(
      'agentbox.navix.sh/sandbox-pool=p,agentbox.navix.sh/sandbox-phase=idle',
    );
    expect(s.phaseSelectors?.['all']).toBe('agentbox.navix.sh/sandbox-pool=p');
    const byType = Object.fromEntries((s.conditions ?? []).map((c) => [c.type, c]));
    expect(byType['Available']).toMatchObject({ status: 'True', observedGeneration: 2 });
    expect(byType['Scaling']).toMatchObject({ status: 'False' });
    expect(byType['Degraded']).toMatchObject({ status: 'False', reason: 'AsExpected' });
  });

  it('is Pending without pods, ScalingUp with too few, ScalingDown with too many', () => {
    expect(computePoolStatus({ ...base, pool: testPool(), pods: [] }).phase).toBe('Pending');
    const two = [testPod('a', { phase: 'idle' }), testPod('b', { phase: 'running' })];
    const up = computePoolStatus({ ...base, pool: testPool(), pods: two });
    expect(up.phase).toBe('ScalingUp');
    expect(up.conditions?.find((c) => c.type === 'Scaling')).toMatchObject({
      status: 'True',
      reason: 'ScalingUp',
    });
    const down = computePoolStatus({ ...base, pool: testPool({ replicas: 1 }), pods: two });
    expect(down.phase).toBe('ScalingDown');
    const none = computePoolStatus({
      ...base,
      pool: testPool({ replicas: 1 }),
      pods: [testPod('r', { phase: 'running' })],
    });
    expect(none.conditions?.find((c) => c.type === 'Available')).toMatchObject({
      status: 'False',
      reason: 'NoIdleSandboxes',
    });
  });

  it('is Degraded with failed pods, a stuck update, another problem or an idle image that cannot be pulled', () => {
    const pods = [
      testPod('a', { phase: 'idle' }),
      testPod('b', { phase: 'idle' }),
      testPod('c', { phase: 'idle' }),
    ];
    const failed = computePoolStatus({
      ...base,
      pool: testPool(),
      pods,
      failed: [{ reason: 'PodFailed', message: 'pod x failed (Evicted)' }],
    });
    expect(failed.phase).toBe('Degraded');
    expect(failed.failedReplicas).toBe(1);
    expect(failed.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'PodFailed',
      message: 'pod x failed (Evicted)',
    });
    const stuck = computePoolStatus({
      ...base,
      pool: testPool(),
      pods,
      stuck: [{ reason: 'UpdatePending', message: 'pod a stopping for 9s: ImagePullBackOff: …' }],
      problems: [{ reason: 'FailedCreate', message: 'rejected' }],
    });
    expect(stuck.conditions?.find((c) => c.type === 'Degraded')?.message).toBe(
      'pod a stopping for 9s: ImagePullBackOff: … (and 1 more)',
    );
    const pulling = testPod('d', {
      phase: 'idle',
      ready: false,
      status: {
        containerStatuses: [
          { name: 'main', state: { waiting: { reason: 'ImagePullBackOff', message: 'no such tag' } } },
        ],
      },
    });
    const idle = computePoolStatus({ ...base, pool: testPool({ replicas: 4 }), pods: [...pods, pulling] });
    expect(idle.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'IdleImageUnavailable',
      message: 'idle pod d: ImagePullBackOff: no such tag',
    });
  });

  it('keeps lastTransitionTime while a condition keeps its status, and detects real changes only', () => {
    const pods = [
      testPod('a', { phase: 'idle' }),
      testPod('b', { phase: 'idle' }),
      testPod('c', { phase: 'idle' }),
    ];
    const first = computePoolStatus({ ...base, pool: testPool(), pods });
    const later = new Date('2026-01-01T02:00:00Z');
    const pool = { ...testPool(), status: first };
    const second = computePoolStatus({ ...base, now: later, pool, pods });
    expect(second.conditions?.map((c) => c.lastTransitionTime)).toEqual(
      first.conditions?.map((c) => c.lastTransitionTime),
    );
    expect(poolStatusChanged(first, second)).toBe(false);
    expect(poolStatusChanged(undefined, second)).toBe(true);
    const fewer = computePoolStatus({ ...base, now: later, pool, pods: pods.slice(1) });
    expect(poolStatusChanged(first, fewer)).toBe(true);
    expect(fewer.conditions?.find((c) => c.type === 'Scaling')?.lastTransitionTime).toBe(
      '2026-01-01T02:00:00Z',
    );
  });
});
