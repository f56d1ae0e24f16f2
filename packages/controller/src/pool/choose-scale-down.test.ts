import { describe, expect, it } from 'vitest';
import { chooseScaleDown } from './choose-scale-down.js';
import { chooseStaleIdle } from './choose-stale-idle.js';
import { testPod } from './internal/test-pods.js';

const names = (pods: { metadata?: { name?: string } }[]) => pods.map((p) => p.metadata?.name);

describe('chooseScaleDown', () => {
  const pods = [
    testPod('run', { phase: 'running', created: '2025-01-01T00:00:00Z' }),
    testPod('start', { phase: 'starting', created: '2025-01-01T00:00:00Z' }),
    testPod('idle-new', { phase: 'idle', created: '2026-01-03T00:00:00Z' }),
    testPod('idle-old', { phase: 'idle', created: '2026-01-01T00:00:00Z' }),
    testPod('idle-notready', { phase: 'idle', ready: false, created: '2026-01-05T00:00:00Z' }),
    testPod('stop', { phase: 'stopping', created: '2025-06-01T00:00:00Z' }),
  ];
  it('takes idle pods first (NotReady, then oldest), then stopping ones, never starting or running', () => {
    expect(names(chooseScaleDown(pods, 2))).toEqual(['idle-notready', 'idle-old']);
    expect(names(chooseScaleDown(pods, 10))).toEqual(['idle-notready', 'idle-old', 'idle-new', 'stop']);
    expect(chooseScaleDown(pods, 0)).toEqual([]);
  });
  it('leaves out the pods it is told to skip', () => {
    expect(names(chooseScaleDown(pods, 1, (p) => p.metadata?.name === 'idle-notready'))).toEqual([
      'idle-old',
    ]);
  });
});

describe('chooseStaleIdle', () => {
  it('replaces stale idle pods NotReady first then oldest, within the budget, never running ones', () => {
    const pods = [
      testPod('run-old', { phase: 'running', hash: 'old' }),
      testPod('a', { phase: 'idle', hash: 'old', created: '2026-01-02T00:00:00Z' }),
      testPod('b', { phase: 'idle', hash: 'old', created: '2026-01-01T00:00:00Z' }),
      testPod('c', { phase: 'idle', hash: 'old', ready: false, created: '2026-01-09T00:00:00Z' }),
      testPod('d', { phase: 'idle', hash: 'new' }),
    ];
    const plan = chooseStaleIdle(pods, 'new', 2, 0);
    expect(names(plan.replace)).toEqual(['c', 'b']);
    expect(plan.budget).toBe(2);
    expect(names(chooseStaleIdle(pods, 'new', 2, 1).replace)).toEqual(['c']);
    expect(chooseStaleIdle(pods, 'new', 2, 2).replace).toEqual([]);
  });
  it('counts pods of the new hash that are switching or not Ready as unavailable', () => {
    const pods = [
      testPod('a', { phase: 'idle', hash: 'old' }),
      testPod('b', { phase: 'stopping', hash: 'new' }),
      testPod('c', { phase: 'idle', hash: 'new', ready: false }),
    ];
    const plan = chooseStaleIdle(pods, 'new', 2, 0);
    expect(plan.unavailable).toBe(2);
    expect(plan.replace).toEqual([]);
    expect(names(chooseStaleIdle(pods, 'new', 3, 0).replace)).toEqual(['a']);
  });
});
